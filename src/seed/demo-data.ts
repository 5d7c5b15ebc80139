/** The seed's demo data (README "Demo flow"). Development only; SEED_DEMO turns it on or off. */
export const DEMO_CLIENT = {
  clientId: 'demo_client',
  clientSecret: 'demo_secret',
  clientName: 'Demo Client',
  redirectUris: ['http://localhost:3000/callback'],
  scope: ['read', 'write'],
};

export const DEMO_USER = {
  username: 'demo_user',
  password: 'demo_password',
  name: 'Demo User',
  email: 'demo@example.com',
  scopes: ['read', 'write'],
};
