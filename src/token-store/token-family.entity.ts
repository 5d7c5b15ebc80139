import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  JoinColumn,
  ManyToOne,
} from 'typeorm';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { User } from 'src/users/user.entity';

/**
 * One authorization chain: a code and every token descended from it. Replay of a code or of a
 * rotated refresh token revokes the whole family by revoking the grant.
 */
@Entity({ name: 'grants' })
@Index('IDX_grants_user_client', ['userId', 'clientId'])
export class TokenFamily {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({ name: 'resource', type: 'text' })
  resource: string;

  /** Absolute end of the chain: no refresh token from this grant outlives it. */
  @Index('IDX_grants_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 64, nullable: true })
  revokedReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => OAuthClient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_grants_client' })
  client?: OAuthClient;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_grants_user' })
  user?: User;
}
