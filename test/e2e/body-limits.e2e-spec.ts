import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { demoBasic } from '../support/browser';
import { createTestApp, TestApp } from './create-test-app';

const KB = 1024;
const tooLarge = { error: 'invalid_request', error_description: 'request body too large' };

/** Every parser and every other content type is capped at 64 kB; malformed bodies are 4xx, never 500. */
describe('Request bodies: limits, content types, encodings (e2e)', () => {
  let t: TestApp;
  const post = (
    path: string,
    type: string,
    data: string | Buffer,
    headers: Record<string, string> = {},
  ) => {
    let req = request(t.http).post(path).set('Content-Type', type);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    // Bytes as they are: superagent would otherwise serialize a Buffer as a form or as JSON.
    return req.serialize((d: unknown) => d as string).send(data);
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('should refuse a form over 64 kB with 413', async () => {
    const res = await post(
      '/oauth/token',
      'application/x-www-form-urlencoded',
      `grant_type=x&pad=${'a'.repeat(65 * KB)}`,
      {
        Authorization: demoBasic(),
      },
    );
    expect(res.status).toBe(413);
    expect(res.body).toEqual(tooLarge);
  });

  it('should refuse JSON over 64 kB with 413', async () => {
    const res = await post(
      '/oauth/register',
      'application/json',
      JSON.stringify({ pad: 'a'.repeat(65 * KB) }),
    );
    expect(res.status).toBe(413);
    expect(res.body).toEqual(tooLarge);
  });

  it.each([
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
  ])(
    'should refuse a %s body over 64 kB with 413, and answer a small one with the endpoint error',
    async (type) => {
      const big = await post('/oauth/token', type, 'a'.repeat(200 * KB));
      expect(big.status).toBe(413);
      expect(big.body).toEqual(tooLarge);
      const small = await post('/oauth/token', type, 'grant_type=client_credentials', {
        Authorization: demoBasic(),
      });
      expect(small.status).toBe(400);
      expect(small.body).toEqual({
        error: 'invalid_request',
        error_description: 'content type must be application/x-www-form-urlencoded',
      });
      const page = await post('/login', type, 'username=a&password=b');
      expect(page.status).toBe(403);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
    },
  );

  it('should refuse more than 100 form parameters', async () => {
    const body = Array.from({ length: 150 }, (_, i) => `p${i}=1`).join('&');
    const res = await post('/oauth/token', 'application/x-www-form-urlencoded', body);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'too many parameters',
    });
  });

  it('should refuse an unsupported charset with 415', async () => {
    const res = await post(
      '/oauth/token',
      'application/x-www-form-urlencoded; charset=utf-16',
      'a=b',
    );
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'unsupported charset',
    });
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'application/vnd.example+json'])(
    'should answer malformed JSON sent as %s with 400 invalid_request',
    async (type) => {
      const res = await post('/oauth/register', type, '{"redirect_uris":');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: 'malformed request body',
      });
    },
  );

  it('should answer a body that does not match its Content-Encoding with 400, not 500', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await post('/oauth/token', 'application/x-www-form-urlencoded', 'grant_type=x', {
        'Content-Encoding': encoding,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: 'malformed request body',
      });
    }
  });

  it('should apply the limit to the inflated size of a compressed body (no zip bomb)', async () => {
    const bomb = gzipSync(Buffer.from(`grant_type=x&pad=${'a'.repeat(10 * 1024 * KB)}`));
    expect(bomb.length).toBeLessThan(64 * KB);
    const res = await post('/oauth/token', 'application/x-www-form-urlencoded', bomb, {
      'Content-Encoding': 'gzip',
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(tooLarge);
  });

  it('should refuse a NUL character in the path, the query or the body with 400 invalid_request', async () => {
    const nul = { error: 'invalid_request', error_description: 'request contains a nul character' };
    expect((await request(t.http).get('/oauth/authorize?client_id=%00')).body).toEqual(nul);
    expect(
      (await request(t.http).get('/oauth/register/%00').set('Authorization', 'Bearer x')).body,
    ).toEqual(nul);
    expect(
      (await post('/oauth/token', 'application/x-www-form-urlencoded', 'client_id=a%00b')).body,
    ).toEqual(nul);
    expect(
      (await post('/oauth/register', 'application/json', '{"client_name":"a\\u0000"}')).body,
    ).toEqual(nul);
    expect((await post('/login', 'application/x-www-form-urlencoded', 'username=%00')).status).toBe(
      400,
    );
  });

  it('should treat a NUL in Basic credentials as malformed client authentication', async () => {
    const auth = `Basic ${Buffer.from('demo%00client:secret').toString('base64')}`;
    const res = await post(
      '/oauth/token',
      'application/x-www-form-urlencoded',
      'grant_type=client_credentials',
      {
        Authorization: auth,
      },
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_client',
      error_description: 'malformed basic credentials',
    });
  });
});
