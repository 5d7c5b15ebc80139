import request from 'supertest';
import { ShutdownState } from 'src/health/shutdown-state';
import { createTestApp, TestApp } from './create-test-app';

describe('Health and error model (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('should answer liveness', async () => {
    const res = await request(t.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('should answer readiness (terminus) when the database responds and a signing key is there', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      status: 'ok',
      info: {
        process: { status: 'up' },
        database: { status: 'up', kind: t.config.db.kind === 'postgres' ? 'postgresql' : 'pglite' },
        signing_keys: { status: 'up' },
      },
      error: {},
      details: {
        process: { status: 'up' },
        database: { status: 'up', kind: t.config.db.kind === 'postgres' ? 'postgresql' : 'pglite' },
        signing_keys: { status: 'up' },
      },
    });
  });

  it('should show the same checks as a page at /health', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<h1>Ready</h1>');
    expect(res.text).toMatch(/<td>database<\/td>\s*<td class="">up<\/td>/);
    expect(res.text).toMatch(/<td>signing_keys<\/td>\s*<td class="">up<\/td>/);
  });

  it('should answer 503 on readiness once shutdown began, while liveness stays 200', async () => {
    const other = await createTestApp();
    try {
      other.app.get(ShutdownState).begin();
      const res = await request(other.http).get('/health/ready').expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error).toEqual({ process: { status: 'down', message: 'shutting down' } });
      await request(other.http).get('/health/live').expect(200, { status: 'ok' });
    } finally {
      await other.close();
    }
  });

  it('should give every response a request id, keeping a well-formed incoming one', async () => {
    const generated = await request(t.http).get('/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(t.http).get('/health/live').set('X-Request-Id', 'req-12345678');
    expect(kept.headers['x-request-id']).toBe('req-12345678');
    const replaced = await request(t.http).get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).not.toContain('bad');
  });

  it('should render an unknown route as a JSON error, not an HTML stack page', async () => {
    const res = await request(t.http).get('/no/such/route').expect(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: 'cannot get /no/such/route' });
  });

  it('should turn a malformed JSON body into invalid_request', async () => {
    const res = await request(t.http)
      .post('/health/live')
      .set('Content-Type', 'application/json')
      .send('{"broken":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'malformed request body' });
  });

  it('should refuse a body larger than the parser limit with a 413 OAuth error', async () => {
    const res = await request(t.http)
      .post('/health/live')
      .type('form')
      .send(`a=${'x'.repeat(100_000)}`);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'request body too large' });
  });
});
