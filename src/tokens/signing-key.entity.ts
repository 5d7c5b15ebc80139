import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type SigningKeyState = 'next' | 'active' | 'retired';

/** An ES256 key pair; the private JWK is encrypted (AES-256-GCM under APP_SECRET) at rest. */
@Entity({ name: 'signing_keys' })
export class SigningKey {
  @PrimaryColumn({ name: 'kid', type: 'varchar', length: 64 })
  kid: string;

  @Column({ name: 'alg', type: 'varchar', length: 16 })
  alg: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @Column({ name: 'private_jwk_encrypted', type: 'text' })
  privateJwkEncrypted: string;

  @Column({ name: 'state', type: 'varchar', length: 8 })
  state: SigningKeyState;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  /** After this instant no unexpired token can carry this kid: the key leaves the JWKS. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
}
