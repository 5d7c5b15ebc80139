/** Prefixes make leaked secrets recognisable to secret scanners (docs/architecture.md §4). */
export const TOKEN_PREFIX = {
  authorizationCode: 'mcpac_',
  refreshToken: 'mcprt_',
  clientSecret: 'mcpcs_',
  registrationAccessToken: 'mcprat_',
} as const;

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** Scopes this server knows, with the words a person sees on the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  read: 'Read your data through the MCP tools (greet, whoami, notes_list)',
  write: 'Create and change your data through the MCP tools (notes_add)',
  openid: 'Confirm your identity to the application',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using the application (refresh tokens)',
  admin: 'Administer this server (clients, users, audit trail)',
};

/** The scopes an MCP client needs for basic use: advertised in PRM and in 401 challenges. */
export const MCP_BASELINE_SCOPES = ['read', 'write'];

/** Scopes about the person, not permissions on their data: a person need not hold them to grant them. */
export const IDENTITY_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);
