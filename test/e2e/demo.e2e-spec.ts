import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, TestApp } from './create-test-app';

const run = promisify(execFile);

/** `npm run demo` is documentation that executes: it must keep working against a fresh server. */
describe('npm run demo (e2e)', () => {
  let t: TestApp;
  let issuer: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    issuer = t.origin!;
  });
  afterAll(() => t.close());

  it('should walk the whole flow: login, consent, tokens, MCP and REST tool calls, refresh, revoke', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, '..', '..', 'scripts', 'demo.mjs')], {
      env: { ...process.env, ISSUER: issuer },
      timeout: 30_000,
    });
    expect(stdout).toContain('state matches: true');
    expect(stdout).toContain('"typ": "at+jwt"');
    expect(stdout).toContain('tools/call greet: Hello, World!');
    expect(stdout).toMatch(/POST \/tools\/greet → 200/);
    expect(stdout).toContain('rotated: true');
    expect(stdout).toMatch(/before revocation: \{\s+"active": true/);
    expect(stdout).toMatch(/access token after revocation: \{\s+"active": false/);
    expect(stdout).toMatch(/tool call with the revoked token: 401 Bearer error="invalid_token"/);
    expect(stdout).toContain('Done.');
  });
});
