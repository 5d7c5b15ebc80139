import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AccessTokenSigner } from 'src/tokens/keys/token-verifier';
import { basic, insertClient } from '../factories/client.factory';
import { createTestApp, TestApp } from './create-test-app';

/**
 * Every tool against every scope set, with real access tokens (ES256 JWTs from the token endpoint,
 * checked by the real verifier), over MCP (one tools/call, and inside a batch) and over the REST
 * mirror: the status, the WWW-Authenticate challenge, and that a refused call wrote nothing.
 */
const ISSUER = 'http://127.0.0.1:8000';
const RESOURCE = `${ISSUER}/mcp`;
const PRM = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;
const MCP_HEADERS = {
  Accept: 'application/json, text/event-stream',
  'Content-Type': 'application/json',
  'MCP-Protocol-Version': '2025-11-25',
};

interface ToolCase {
  name: string;
  args: Record<string, unknown>;
  needs: string;
  writes: boolean;
}
const TOOLS: ToolCase[] = [
  { name: 'greet', args: { name: 'Ada' }, needs: 'read', writes: false },
  { name: 'whoami', args: {}, needs: 'read', writes: false },
  { name: 'notes_list', args: {}, needs: 'read', writes: false },
  { name: 'notes_add', args: { text: 'scope table' }, needs: 'write', writes: true },
];

type ScopeSet = 'none' | 'read' | 'write' | 'read write' | 'foreign audience';
const SCOPE_SETS: ScopeSet[] = ['none', 'read', 'write', 'read write', 'foreign audience'];

/** The scopes of a challenge's `scope="…"`, as a sorted list. */
const challengeScopes = (header: string): string[] =>
  (/scope="([^"]*)"/.exec(header)?.[1] ?? '').split(' ').filter(Boolean).sort();

describe('Per-tool scopes with real tokens, over MCP and REST (e2e)', () => {
  let t: TestApp;
  /** scope set → { token, subject } */
  const tokens = new Map<ScopeSet, { token: string; subject: string }>();

  beforeAll(async () => {
    t = await createTestApp();
    for (const set of SCOPE_SETS) {
      if (set === 'foreign audience') continue;
      const scope = set === 'none' ? [] : set.split(' ');
      const client = await insertClient(t.dataSource, { grantTypes: ['client_credentials'], scope });
      const res = await request(t.http)
        .post('/oauth/token')
        .type('form')
        .set('Authorization', basic(client.clientId, client.clientSecret!))
        .send({ grant_type: 'client_credentials' });
      expect(res.status).toBe(200);
      expect(res.body.scope ?? '').toBe(scope.join(' '));
      tokens.set(set, { token: res.body.access_token, subject: client.clientId });
    }
    // Signed with the server's own active key, complete and unexpired, but for another resource.
    const subject = `foreign-${randomBytes(4).toString('hex')}`;
    const { token } = await t.app.get(AccessTokenSigner).sign({
      jti: randomBytes(16).toString('hex'),
      sub: subject,
      clientId: subject,
      scope: ['read', 'write'],
      audience: 'https://other.example/mcp',
      ttlSeconds: 600,
    });
    tokens.set('foreign audience', { token, subject });
  });
  afterAll(() => t.close());

  const granted = (set: ScopeSet): string[] => (set === 'none' || set === 'foreign audience' ? [] : set.split(' '));
  const notesOf = async (owner: string): Promise<number> =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM notes WHERE owner = $1', [owner]))[0].n;

  /** The refusal every transport must give: status, challenge, and no side effect. */
  function expectRefusal(res: request.Response, set: ScopeSet, needed: string[]): void {
    const challenge = res.headers['www-authenticate'] as string;
    if (set === 'foreign audience') {
      expect(res.status).toBe(401);
      expect(challenge).toBe(
        `Bearer error="invalid_token", error_description="access token not issued for this resource", scope="read write", resource_metadata="${PRM}"`,
      );
      expect(res.body.error).toBe('invalid_token');
      return;
    }
    expect(res.status).toBe(403);
    expect(challenge).toMatch(
      new RegExp(`^Bearer error="insufficient_scope", error_description="requires scope [a-z ]+", scope="[a-z ]+", resource_metadata="${PRM.replace(/[.?]/g, '\\$&')}"$`),
    );
    // The description names what the call requires; the step-up asks for that and for what the
    // token already has (docs/mcp.md §3.4).
    const described = /requires scope ([a-z ]+)"/.exec(challenge)![1];
    expect(described.split(' ').sort()).toEqual([...needed].sort());
    expect(challengeScopes(challenge)).toEqual([...new Set([...needed, ...granted(set)])].sort());
    expect(res.body).toEqual({ error: 'insufficient_scope', error_description: `requires scope ${described}` });
  }

  const mcp = (set: ScopeSet, body: unknown) =>
    request(t.http).post('/mcp').set(MCP_HEADERS).set('Authorization', `Bearer ${tokens.get(set)!.token}`).send(body as object);
  const call = (tool: ToolCase, id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: tool.name, arguments: tool.args },
  });

  const table = SCOPE_SETS.flatMap((set) => TOOLS.map((tool) => [set, tool.name, tool] as const));

  describe.each(table)('scope set "%s", tool %s', (set, _name, tool) => {
    const allowed = granted(set).includes(tool.needs);

    it(`over MCP, one call: ${allowed ? '200 and the result' : 'refused, nothing written'}`, async () => {
      const owner = tokens.get(set)!.subject;
      const before = await notesOf(owner);
      const res = await mcp(set, call(tool, 1));
      if (allowed) {
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [expect.objectContaining({ type: 'text' })] } });
        expect(res.body.result.isError).toBeUndefined();
        expect(await notesOf(owner)).toBe(before + (tool.writes ? 1 : 0));
      } else {
        expectRefusal(res, set, [tool.needs]);
        expect(await notesOf(owner)).toBe(before);
      }
    });

    it(`over MCP, in a batch with a call every token may make: ${allowed ? 'both answered' : 'the whole batch refused'}`, async () => {
      const owner = tokens.get(set)!.subject;
      const before = await notesOf(owner);
      const res = await mcp(set, [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, call(tool, 2)]);
      if (allowed) {
        expect(res.status).toBe(200);
        expect((res.body as Array<{ id: number }>).map((r) => r.id).sort()).toEqual([1, 2]);
        expect(await notesOf(owner)).toBe(before + (tool.writes ? 1 : 0));
      } else {
        expectRefusal(res, set, [tool.needs]);
        expect(await notesOf(owner)).toBe(before);
      }
    });
    it(`over REST: ${allowed ? '200 and the result' : 'refused, nothing written'}`, async () => {
      const owner = tokens.get(set)!.subject;
      const before = await notesOf(owner);
      const res = await request(t.http)
        .post(`/tools/${tool.name}`)
        .set('Authorization', `Bearer ${tokens.get(set)!.token}`)
        .send(tool.args);
      if (allowed) {
        expect(res.status).toBe(200);
        expect(res.body.content).toEqual([expect.objectContaining({ type: 'text' })]);
        expect(await notesOf(owner)).toBe(before + (tool.writes ? 1 : 0));
      } else {
        expectRefusal(res, set, [tool.needs]);
        expect(await notesOf(owner)).toBe(before);
      }
    });
  });

  it.each(SCOPE_SETS)('scope set "%s": a batch of every tool runs all or nothing', async (set) => {
    const owner = tokens.get(set)!.subject;
    const before = await notesOf(owner);
    // notes_add first: a refused batch must not have run it, even for a token holding write.
    const res = await mcp(set, [call(TOOLS[3], 1), ...TOOLS.slice(0, 3).map((tool, i) => call(tool, i + 2))]);
    if (granted(set).includes('read') && granted(set).includes('write')) {
      expect(res.status).toBe(200);
      expect((res.body as Array<{ id: number; result?: { isError?: boolean } }>).map((r) => [r.id, r.result?.isError ?? false]).sort()).toEqual([
        [1, false],
        [2, false],
        [3, false],
        [4, false],
      ]);
      expect(await notesOf(owner)).toBe(before + 1);
    } else {
      expectRefusal(res, set, ['read', 'write']);
      expect(await notesOf(owner)).toBe(before);
    }
  });

  it('should refuse the foreign-audience token even for tools/list and the tool list', async () => {
    const res = await mcp('foreign audience', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expectRefusal(res, 'foreign audience', []);
    expectRefusal(
      await request(t.http).get('/tools').set('Authorization', `Bearer ${tokens.get('foreign audience')!.token}`),
      'foreign audience',
      [],
    );
    expect(RESOURCE).toBe(t.config.mcp.resource); // the audience the server expects, for the record
  });
});
