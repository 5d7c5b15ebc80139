import * as oauth from 'oauth4webapi';
import { DEMO_CLIENT } from 'src/seed/demo-data';
import { authorizeAsUser, browser } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

/**
 * The flow driven by oauth4webapi, a strict third-party client: it validates the metadata, the
 * authorization response (iss per RFC 9207, state), the token response and the JWT access token
 * against our JWKS (RFC 9068). Any deviation from the RFCs makes it throw.
 */
describe('Code flow with oauth4webapi as the client (e2e)', () => {
  let t: TestApp;
  let issuer: URL;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    issuer = new URL(t.origin!);
  });
  afterAll(() => t.close());

  it('should discover, authorize, exchange, refresh and validate the access token as a resource server', async () => {
    const options = { [oauth.allowInsecureRequests]: true };
    const as = await oauth
      .discoveryRequest(issuer, { ...options, algorithm: 'oauth2' })
      .then((res) => oauth.processDiscoveryResponse(issuer, res));
    expect(as.issuer).toBe(issuer.origin);

    const client: oauth.Client = { client_id: DEMO_CLIENT.clientId };
    const auth = oauth.ClientSecretBasic(DEMO_CLIENT.clientSecret);
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();

    const { redirect } = await authorizeAsUser(t.http, { state, code_challenge: challenge }, { agent: browser(t.http) });
    const params = oauth.validateAuthResponse(as, client, redirect, state);

    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, DEMO_CLIENT.redirectUris[0], verifier, {
      ...options,
      additionalParameters: { resource: `${issuer.origin}/mcp` },
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('read write');

    // Resource-server side validation of the JWT access token (RFC 9068) against our JWKS.
    const request = new Request(`${issuer.origin}/mcp`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, `${issuer.origin}/mcp`, options);
    expect(claims).toMatchObject({ client_id: 'demo_client', iss: issuer.origin, aud: `${issuer.origin}/mcp` });

    const refreshed = await oauth
      .refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, options)
      .then((res) => oauth.processRefreshTokenResponse(as, client, res));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });
});
