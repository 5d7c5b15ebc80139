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

@Entity({ name: 'refresh_tokens' })
@Index('IDX_refresh_tokens_user_client', ['userId', 'clientId'])
export class RefreshToken {
  /** SHA-256 (hex) of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({ name: 'resource', type: 'text' })
  resource: string;

  @Index('IDX_refresh_tokens_grant_id')
  @Column({ name: 'grant_id', type: 'uuid' })
  grantId: string;

  @Column({ name: 'parent_hash', type: 'varchar', length: 64, nullable: true })
  parentHash: string | null;

  @Column({ name: 'replaced_by_hash', type: 'varchar', length: 64, nullable: true })
  replacedByHash: string | null;

  /** The successor token, AES-GCM encrypted under a key derived from this token (grace window). */
  @Column({ name: 'successor_ciphertext', type: 'text', nullable: true })
  successorCiphertext: string | null;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Index('IDX_refresh_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked', type: 'boolean', default: false })
  revoked: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => OAuthClient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_refresh_tokens_client' })
  client?: OAuthClient;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_refresh_tokens_user' })
  user?: User;

  @ManyToOne(() => TokenFamily, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'grant_id', foreignKeyConstraintName: 'FK_refresh_tokens_grant' })
  grant?: TokenFamily;
}
