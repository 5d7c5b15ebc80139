import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Index('UQ_users_username', { unique: true })
  @Column({ name: 'username', type: 'varchar', length: 128 })
  username: string;

  /** bcrypt hash (`$2b$…`). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'email', type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ name: 'name', type: 'varchar', length: 200, nullable: true })
  name: string | null;

  /** The scopes this person may grant to applications. */
  @Column({ name: 'scopes', type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ name: 'disabled', type: 'boolean', default: false })
  disabled: boolean;

  @Column({ name: 'failed_login_count', type: 'integer', default: 0 })
  failedLoginCount: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
