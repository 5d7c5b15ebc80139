import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  JoinColumn,
  ManyToOne,
} from 'typeorm';
import { OAuthClient } from 'src/clients/oauth-client.entity';
import { User } from 'src/users/user.entity';
import { TokenFamily } from 'src/token-store/token-family.entity';

/** A JWT access token's record, by jti: the token itself is never stored. */
@Entity({ name: 'access_tokens' })
@Index('IDX_access_tokens_user_client', ['userId', 'clientId'])
export class AccessToken {
  @PrimaryColumn({ name: 'jti', type: 'varchar', length: 64 })
  jti: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({ name: 'resource', type: 'text' })
  resource: string;

  @Index('IDX_access_tokens_grant_id')
  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId: string | null;

  @Index('IDX_access_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked', type: 'boolean', default: false })
  revoked: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => OAuthClient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_access_tokens_client' })
  client?: OAuthClient;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_access_tokens_user' })
  user?: User;

  @ManyToOne(() => TokenFamily, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'grant_id', foreignKeyConstraintName: 'FK_access_tokens_grant' })
  grant?: TokenFamily;
}
