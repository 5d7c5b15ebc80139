import { Controller, Delete, Get, Header, HttpCode, INestApplication, Post, Res } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Response } from 'express';
import request from 'supertest';
import { JsonReplyAdapter } from './json-reply.adapter';

const BODY = { access_token: 'eyJ…', note: 'héllo wörld ✓ 🙂', list: [1, null, true], nested: { a: 'b' } };

@Controller()
class ProbeController {
  @Post('json')
  post() {
    return BODY;
  }
  @Post('created')
  created() {
    return { created: true };
  }
  @Post('array')
  @HttpCode(200)
  array() {
    return [1, 'two', { three: 3 }];
  }
  @Get('json')
  get() {
    return BODY;
  }
  @Post('typed')
  @HttpCode(200)
  @Header('Content-Type', 'application/token-introspection+jwt')
  typed() {
    return { typed: true };
  }
  @Delete('none')
  @HttpCode(204)
  none() {
    return { ignored: true };
  }
  @Post('empty')
  @HttpCode(200)
  empty() {
    return undefined;
  }
  @Post('passthrough')
  passthrough(@Res({ passthrough: true }) res: Response) {
    res.status(202);
    res.setHeader('Cache-Control', 'no-store');
    return { accepted: true };
  }
}

async function appWith(adapter: ExpressAdapter): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
  const app = moduleRef.createNestApplication(adapter, { logger: false, bodyParser: false });
  await app.init();
  return app;
}

describe(JsonReplyAdapter.name, () => {
  let fast: INestApplication;
  let plain: INestApplication;

  beforeAll(async () => {
    fast = await appWith(new JsonReplyAdapter());
    plain = await appWith(new ExpressAdapter());
  });
  afterAll(async () => {
    await fast.close();
    await plain.close();
  });

  const both = async (method: 'get' | 'post' | 'delete', path: string) => {
    const [a, b] = await Promise.all([
      request(fast.getHttpServer())[method](path),
      request(plain.getHttpServer())[method](path),
    ]);
    return { fast: a, plain: b };
  };

  it.each([
    ['post', '/json'],
    ['post', '/created'],
    ['post', '/array'],
    ['post', '/passthrough'],
  ] as const)(
    'should answer %s %s with the status, bytes and headers of Express res.json, without the unusable ETag',
    async (method, path) => {
      const { fast: a, plain: b } = await both(method, path);
      expect(a.status).toBe(b.status);
      expect(a.text).toBe(b.text);
      expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(a.headers['content-type']).toBe(b.headers['content-type']);
      expect(a.headers['content-length']).toBe(String(Buffer.byteLength(b.text)));
      expect(a.headers['content-length']).toBe(b.headers['content-length']);
      expect(a.headers['cache-control']).toBe(b.headers['cache-control']);
      expect(b.headers.etag).toBeDefined();
      expect(a.headers.etag).toBeUndefined();
    },
  );

  it('should keep the exact body of a multi-byte JSON answer', async () => {
    const res = await request(fast.getHttpServer()).post('/json').expect(201);
    expect(res.body).toEqual(BODY);
  });

  it('should leave GET answers to Express: the same ETag, and 304 for a fresh one', async () => {
    const { fast: a, plain: b } = await both('get', '/json');
    expect(a.headers.etag).toBeDefined();
    expect(a.headers.etag).toBe(b.headers.etag);
    expect(a.text).toBe(b.text);
    await request(fast.getHttpServer()).get('/json').set('If-None-Match', a.headers.etag).expect(304);
  });

  it.each([
    ['post', '/typed'],
    ['delete', '/none'],
    ['post', '/empty'],
  ] as const)('should answer %s %s exactly as Express does (a chosen type, 204, no body)', async (method, path) => {
    const { fast: a, plain: b } = await both(method, path);
    expect(a.status).toBe(b.status);
    expect(a.text).toBe(b.text);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    expect(a.headers['content-length']).toBe(b.headers['content-length']);
    expect(a.headers.etag).toBe(b.headers.etag);
  });
});
