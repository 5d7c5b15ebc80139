import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type ClientSource = 'admin' | 'dcr' | 'cimd';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

@Entity({ name: 'oauth_clients' })
export class OAuthClient {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId: string;

  /** `sha256:<hex>` for server-generated secrets, `bcrypt:<hash>` for human-chosen ones; null = public. */
  @Column({ name: 'client_secret_hash', type: 'text', nullable: true })
  clientSecretHash: string | null;

  @Column({ name: 'client_name', type: 'text' })
  clientName: string;

  @Column({ name: 'redirect_uris', type: 'text', array: true, default: () => "'{}'" })
  redirectUris: string[];

  @Column({
    name: 'grant_types',
    type: 'text',
    array: true,
    default: () => "'{authorization_code,refresh_token}'",
  })
  grantTypes: string[];

  @Column({ name: 'response_types', type: 'text', array: true, default: () => "'{code}'" })
  responseTypes: string[];

  @Column({ name: 'scope', type: 'text', array: true, default: () => "'{}'" })
  scope: string[];

  @Column({
    name: 'token_endpoint_auth_method',
    type: 'varchar',
    length: 32,
    default: 'client_secret_basic',
  })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  @Column({ name: 'application_type', type: 'varchar', length: 16, default: 'web' })
  applicationType: 'web' | 'native';

  @Column({ name: 'source', type: 'varchar', length: 8, default: 'admin' })
  source: ClientSource;

  @Column({ name: 'registration_access_token_hash', type: 'text', nullable: true })
  registrationAccessTokenHash: string | null;

  @Column({ name: 'client_secret_expires_at', type: 'timestamptz', nullable: true })
  clientSecretExpiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'disabled', type: 'boolean', default: false })
  disabled: boolean;

  /** Other registered metadata (RFC 7591 §2: client_uri, logo_uri, contacts, …), echoed back as given. */
  @Column({ name: 'metadata', type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
