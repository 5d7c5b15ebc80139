import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_type_at', ['type', 'at'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Index('IDX_audit_events_at')
  @Column({ name: 'at', type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ name: 'type', type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'outcome', type: 'varchar', length: 16 })
  outcome: 'success' | 'failure';

  @Index('IDX_audit_events_user_id')
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Index('IDX_audit_events_client_id')
  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId: string | null;

  @Column({ name: 'ip', type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'details', type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;
}
