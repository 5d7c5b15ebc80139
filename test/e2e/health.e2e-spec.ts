import request from 'supertest';
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

  it('should answer readiness when the database responds', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
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
