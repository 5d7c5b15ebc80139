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

@Entity({ name: 'authorization_codes' })
export class AuthorizationCode {
  /** SHA-256 (hex) of the code; the code itself is never stored. */
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({ name: 'resource', type: 'text' })
  resource: string;

  @Column({ name: 'code_challenge', type: 'varchar', length: 128 })
  codeChallenge: string;

  @Column({ name: 'code_challenge_method', type: 'varchar', length: 8 })
  codeChallengeMethod: string;

  @Index('IDX_authorization_codes_grant_id')
  @Column({ name: 'grant_id', type: 'uuid' })
  grantId: string;

  @Index('IDX_authorization_codes_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => OAuthClient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_authorization_codes_client' })
  client?: OAuthClient;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_authorization_codes_user' })
  user?: User;

  @ManyToOne(() => TokenFamily, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'grant_id', foreignKeyConstraintName: 'FK_authorization_codes_grant' })
  grant?: TokenFamily;
}
