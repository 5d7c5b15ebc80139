import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DEMO_CLIENT, DEMO_USER } from 'src/seed/demo-data';
import { pkcePair } from './pkce';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`', '&#61;': '=' };
export const unescapeHtml = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39|#96|#61);/g, (e) => ENTITIES[e]);

/** The hidden and named inputs of the first form on a page, as a browser would submit them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  }
  return fields;
}

export interface AuthorizeParams {
  client_id?: string;
  redirect_uri?: string;
  response_type?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  resource?: string;
  [name: string]: string | undefined;
}

export function authorizePath(params: AuthorizeParams): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, v);
  return `/oauth/authorize?${q.toString()}`;
}

/** A browser with a cookie jar. */
export function browser(http: unknown): TestAgent {
  return request.agent(http as Parameters<typeof request.agent>[0]);
}

/** Signs in through the real login form; returns the response to the form POST. */
export async function signIn(agent: TestAgent, returnTo: string, user = DEMO_USER.username, password = DEMO_USER.password) {
  const page = await agent.get(`/login?return_to=${encodeURIComponent(returnTo)}`).expect(200);
  const fields = formFields(page.text);
  return agent.post('/login').type('form').send({ ...fields, username: user, password });
}

export interface CodeFlowResult {
  code: string;
  verifier: string;
  redirect: URL;
  agent: TestAgent;
}

/**
 * The whole browser half of the code flow: /authorize → login → consent (approve) → redirect.
 * Returns the code from the final redirect.
 */
export async function authorizeAsUser(
  http: unknown,
  overrides: AuthorizeParams = {},
  options: { agent?: TestAgent; decision?: 'approve' | 'deny' } = {},
): Promise<CodeFlowResult> {
  const { verifier, challenge } = pkcePair();
  const agent = options.agent ?? browser(http);
  const path = authorizePath({
    response_type: 'code',
    client_id: DEMO_CLIENT.clientId,
    redirect_uri: DEMO_CLIENT.redirectUris[0],
    scope: 'read write',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  });
  let res = await agent.get(path);
  if (res.status === 302 && res.headers.location.startsWith('/login')) {
    const login = await signIn(agent, path);
    if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
    res = await agent.get(login.headers.location);
  }
  if (res.status === 200) {
    const fields = formFields(res.text);
    res = await agent.post('/consent').type('form').send({ ...fields, decision: options.decision ?? 'approve' });
  }
  if (![302, 303].includes(res.status)) throw new Error(`unexpected ${res.status}: ${res.text.slice(0, 300)}`);
  const redirect = new URL(res.headers.location);
  return { code: redirect.searchParams.get('code') ?? '', verifier, redirect, agent };
}

export const demoBasic = (): string =>
  `Basic ${Buffer.from(`${DEMO_CLIENT.clientId}:${DEMO_CLIENT.clientSecret}`).toString('base64')}`;

/** Exchanges a code at /token as the demo client (Basic auth). */
export function exchangeCode(http: unknown, code: string, verifier: string, extra: Record<string, string> = {}) {
  return request(http as Parameters<typeof request>[0])
    .post('/oauth/token')
    .set('Authorization', demoBasic())
    .type('form')
    .send({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: DEMO_CLIENT.redirectUris[0], ...extra });
}
