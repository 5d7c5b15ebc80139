import type {
  OAuthClientProvider,
  OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { DEMO_USER } from 'src/seed/demo-data';
import { formFields } from './browser';

/**
 * A headless stand-in for the person and the browser an MCP client hands the authorization URL to
 * (docs/mcp.md §3.3): the provider's redirectToAuthorization() walks our real login and consent forms
 * with a cookie-keeping fetch, and keeps the callback parameters for finishAuth(). Every HTTP
 * request, the SDK's and the browser's, is recorded in one trace.
 */

export interface TraceEntry {
  /** Who sent it: the MCP SDK (transport and its OAuth calls) or the headless browser. */
  by: 'sdk' | 'browser';
  method: string;
  url: URL;
  status: number;
  /** JSON-RPC method(s) of a POST to the MCP endpoint. */
  rpc?: string;
  /** Form fields of an application/x-www-form-urlencoded body. */
  form?: URLSearchParams;
  /** Parsed JSON body (DCR). */
  json?: Record<string, unknown>;
  headers: Headers;
  responseHeaders: Headers;
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function describeBody(body: unknown): Pick<TraceEntry, 'rpc' | 'form' | 'json'> {
  if (body instanceof URLSearchParams) return { form: new URLSearchParams(body) };
  if (typeof body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    const methods = messages
      .map((m) => (m as { method?: unknown }).method)
      .filter((m): m is string => typeof m === 'string');
    if (methods.length) return { rpc: methods.join(',') };
    return { json: parsed as Record<string, unknown> };
  } catch {
    return { form: new URLSearchParams(body) };
  }
}

/** A fetch for the SDK (transport `fetch` option) that records every request and its status. */
export function tracingFetch(trace: TraceEntry[], by: TraceEntry['by'] = 'sdk'): Fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? request?.headers);
    const response = await fetch(input, init);
    trace.push({
      by,
      method,
      url,
      status: response.status,
      headers,
      responseHeaders: response.headers,
      ...describeBody(init?.body),
    });
    return response;
  };
}

/** One line per request, e.g. `sdk POST /mcp initialize → 401`; query strings left out. */
export function traceLines(trace: TraceEntry[]): string[] {
  return trace.map((e) => {
    const detail = e.rpc ?? e.form?.get('grant_type') ?? '';
    return `${e.by} ${e.method} ${e.url.pathname}${detail ? ` ${detail}` : ''} → ${e.status}`;
  });
}

/** fetch with a cookie jar and manual redirects, like a careful browser (scripts/demo.mjs). */
export class HeadlessBrowser {
  private readonly cookies = new Map<string, string>();
  private readonly fetch: Fetch;

  constructor(trace: TraceEntry[]) {
    this.fetch = tracingFetch(trace, 'browser');
  }

  async go(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size)
      headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === '')
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  submit(url: URL, fields: Record<string, string>): Promise<Response> {
    return this.go(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

export interface AuthorizationOutcome {
  /** The authorization URL the SDK built, as the SDK built it. */
  authorizationUrl: URL;
  /** The final redirect to the client's redirect_uri. */
  callback: URL;
}

/**
 * Signs in as demo_user and approves the consent page, starting from an authorization URL; returns
 * the final redirect to the client (which carries code, state and iss, or an error).
 */
export async function approveInBrowser(
  browser: HeadlessBrowser,
  authorizationUrl: URL,
): Promise<URL> {
  let url = new URL(authorizationUrl);
  let res = await browser.go(url);
  for (let hops = 0; hops < 10; hops++) {
    if (res.status === 302 || res.status === 303) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== authorizationUrl.origin) return next; // back to the client
      url = next;
      res = await browser.go(url);
      continue;
    }
    if (res.status !== 200)
      throw new Error(
        `unexpected ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`,
      );
    const html = await res.text();
    const fields = formFields(html);
    if (url.pathname === '/login') {
      url = new URL('/login', url);
      res = await browser.submit(url, {
        ...fields,
        username: DEMO_USER.username,
        password: DEMO_USER.password,
      });
    } else {
      url = new URL('/consent', url);
      res = await browser.submit(url, { ...fields, decision: 'approve' });
    }
  }
  throw new Error('too many redirects');
}

export interface HeadlessProviderOptions {
  trace: TraceEntry[];
  redirectUrl?: string;
  /** Pre-registered client (skips DCR). */
  clientInformation?: OAuthClientInformationMixed;
  /** Replace the scope the SDK asks for (the person grants less than asked). */
  grantScope?: string;
  clientName?: string;
}

/** The OAuthClientProvider of a headless MCP host, in memory (works for the v1 and v2 SDKs). */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl: string;
  readonly browser: HeadlessBrowser;
  readonly authorizations: AuthorizationOutcome[] = [];
  private client?: OAuthClientInformationMixed;
  private saved?: OAuthTokens;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;

  constructor(private readonly options: HeadlessProviderOptions) {
    this.redirectUrl = options.redirectUrl ?? 'http://localhost:3999/callback';
    this.client = options.clientInformation;
    this.browser = new HeadlessBrowser(options.trace);
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'MCP SDK e2e',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }

  /** Kept like the code verifier, so finishAuth() and later refreshes need not discover again (SEP-2352). */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const url = new URL(authorizationUrl);
    if (this.options.grantScope !== undefined)
      url.searchParams.set('scope', this.options.grantScope);
    const callback = await approveInBrowser(this.browser, url);
    this.authorizations.push({ authorizationUrl: new URL(authorizationUrl), callback });
  }

  /** The parameters of the last callback (code, state, iss), for finishAuth(). */
  get lastCallback(): URLSearchParams {
    const last = this.authorizations.at(-1);
    if (!last) throw new Error('the SDK never asked for authorization');
    return last.callback.searchParams;
  }
}
