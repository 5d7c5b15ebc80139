import { Body, Controller, Get, INestApplication, Post, Query, UseFilters } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString, MaxLength } from 'class-validator';
import express from 'express';
import request from 'supertest';
import { createValidationPipe } from '../validation';
import { BearerError } from './bearer.error';
import { InvalidClient, InvalidGrant } from './oauth-errors';
import { DATABASE_AVAILABILITY_SETTING, OAuthErrorFilter } from './oauth-error.filter';

class EchoDto {
  @IsString()
  @MaxLength(5)
  name: string;
}

@Controller()
class ProbeController {
  @Get('boom')
  boom(): never {
    throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db:5432 at pg/lib/client.js:132');
  }
  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }
  @Get('grant')
  grant(): never {
    throw InvalidGrant('code expired');
  }
  @Get('client')
  client(): never {
    throw InvalidClient('client authentication failed', 'http://issuer');
  }
  @Get('bearer')
  bearer(@Query('kind') kind: string): never {
    const challenge = { resourceMetadata: 'http://issuer/.well-known/oauth-protected-resource/mcp', scope: ['read'] };
    if (kind === 'none') throw new BearerError(undefined, 'authentication required', challenge);
    throw new BearerError('insufficient_scope', 'write required', { ...challenge, scope: ['read', 'write'] });
  }
  @Get('db')
  db(@Query('kind') kind: string): never {
    const errors: Record<string, unknown> = {
      refused: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      acquire: new Error('timeout exceeded when trying to connect'),
      read: new Error('Query read timeout'),
      statement: Object.assign(new Error('canceling statement due to statement timeout'), {
        driverError: { code: '57014' },
      }),
      unique: Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    };
    throw errors[kind];
  }
  @Get('redirect')
  redirect(): never {
    throw InvalidGrant('x').redirectTo({ redirectUri: 'http://localhost:3000/cb?a=1', state: 's t', iss: 'http://i' });
  }
}

@Controller('page')
@UseFilters(new OAuthErrorFilter('html'))
class PageController {
  @Get()
  page(): never {
    throw InvalidGrant('<script>alert(1)</script>');
  }
  @Get('db')
  db(): never {
    throw Object.assign(new Error('Connection terminated unexpectedly'), {});
  }
}

describe(OAuthErrorFilter.name, () => {
  let app: INestApplication;
  const availability = { report: jest.fn().mockReturnValue(true) };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController, PageController] }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    app.use(express.json());
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalFilters(new OAuthErrorFilter('json'));
    (app as unknown as { set(k: string, v: unknown): void }).set(DATABASE_AVAILABILITY_SETTING, availability);
    await app.init();
  });
  afterAll(() => app.close());

  it('should turn an unknown exception into a 500 server_error without details', async () => {
    const res = await request(app.getHttpServer()).get('/boom').expect(500);
    expect(res.body).toEqual({ error: 'server_error', error_description: 'internal server error' });
    expect(res.text).not.toMatch(/hunter2|ECONNREFUSED|client\.js/);
  });

  it.each(['refused', 'acquire', 'read', 'statement'])(
    'should answer a database-unavailable error (%s) 503 temporarily_unavailable with Retry-After and report it',
    async (kind) => {
      availability.report.mockClear();
      const res = await request(app.getHttpServer()).get(`/db?kind=${kind}`).expect(503);
      expect(res.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the service is temporarily unavailable, retry later',
      });
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(availability.report).toHaveBeenCalledTimes(1);
    },
  );

  it('should keep other database errors a 500 (a constraint violation is not an outage)', async () => {
    const res = await request(app.getHttpServer()).get('/db?kind=unique').expect(500);
    expect(res.body.error).toBe('server_error');
  });

  it('should render a database outage on a browser route as a 503 page with Retry-After', async () => {
    const res = await request(app.getHttpServer()).get('/page/db').expect(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).toContain('<h1>Temporarily unavailable</h1>');
  });

  it('should turn a validation failure into invalid_request naming the field only', async () => {
    const res = await request(app.getHttpServer()).post('/echo').send({ name: 'far-too-long-value' }).expect(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'invalid name' });
  });

  it('should render OAuth errors as RFC 6749 §5.2 JSON with no-store', async () => {
    const res = await request(app.getHttpServer()).get('/grant').expect(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'code expired' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  });

  it('should add a Basic challenge to invalid_client after header authentication', async () => {
    const res = await request(app.getHttpServer()).get('/client').expect(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="http://issuer", charset="UTF-8"');
    expect(res.body.error).toBe('invalid_client');
  });

  it('should send a bare Bearer challenge when no credentials were presented', async () => {
    const res = await request(app.getHttpServer()).get('/bearer?kind=none').expect(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer scope="read", resource_metadata="http://issuer/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('should send insufficient_scope as 403 with the needed scopes', async () => {
    const res = await request(app.getHttpServer()).get('/bearer').expect(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="write required", scope="read write", ' +
        'resource_metadata="http://issuer/.well-known/oauth-protected-resource/mcp"',
    );
    expect(res.body).toEqual({ error: 'insufficient_scope', error_description: 'write required' });
  });

  it('should redirect a verified authorization error with state and iss', async () => {
    const res = await request(app.getHttpServer()).get('/redirect').expect(302);
    const url = new URL(res.headers.location);
    expect(url.origin + url.pathname).toBe('http://localhost:3000/cb');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      a: '1',
      error: 'invalid_grant',
      error_description: 'x',
      state: 's t',
      iss: 'http://i',
    });
  });

  it('should render an escaped HTML page with the page security headers in html mode', async () => {
    const res = await request(app.getHttpServer()).get('/page').expect(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});
