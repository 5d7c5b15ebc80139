import { Body, Controller, Get, INestApplication, Post, Query, UseFilters } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString, MaxLength } from 'class-validator';
import express from 'express';
import request from 'supertest';
import { createValidationPipe } from '../validation';
import { BearerError } from './bearer.error';
import { InvalidClient, InvalidGrant } from './oauth-errors';
import { OAuthErrorFilter } from './oauth-error.filter';

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
}

describe(OAuthErrorFilter.name, () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController, PageController] }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    app.use(express.json());
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalFilters(new OAuthErrorFilter('json'));
    await app.init();
  });
  afterAll(() => app.close());

  it('should turn an unknown exception into a 500 server_error without details', async () => {
    const res = await request(app.getHttpServer()).get('/boom').expect(500);
    expect(res.body).toEqual({ error: 'server_error', error_description: 'internal server error' });
    expect(res.text).not.toMatch(/hunter2|ECONNREFUSED|client\.js/);
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
