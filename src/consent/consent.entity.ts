import { Column, Entity, PrimaryColumn, JoinColumn, ManyToOne } from 'typeorm';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { User } from 'src/users/user.entity';

/** What a person allowed an application; one row per (user, client). */
@Entity({ name: 'consents' })
export class Consent {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({ name: 'granted_at', type: 'timestamptz', default: () => 'now()' })
  grantedAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @ManyToOne(() => OAuthClient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_consents_client' })
  client?: OAuthClient;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_consents_user' })
  user?: User;
}
