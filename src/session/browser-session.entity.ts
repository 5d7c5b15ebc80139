import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { User } from 'src/users/user.entity';

/**
 * A signed-in browser (issue 12 item 3): the session cookie names a row here, so a session can be
 * ended server-side — logout, "sign out everywhere", a password reset or disabling the user delete
 * it, and a saved cookie no longer signs in. Only the SHA-256 of the cookie's session id is kept.
 */
@Entity({ name: 'browser_sessions' })
export class BrowserSession {
  @PrimaryColumn({
    name: 'id_hash',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'PK_browser_sessions',
  })
  idHash: string;

  @Index('IDX_browser_sessions_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Index('IDX_browser_sessions_expires')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_browser_sessions_user' })
  user?: User;
}
