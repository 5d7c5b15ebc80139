import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import express from 'express';
import request from 'supertest';
import { AppConfig } from 'src/config/app-config';
import { validateEnv } from 'src/config/validate-env';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import {
  TokenRejectedError,
  TokenVerifier,
  VerifiedAccessToken,
} from 'src/tokens/keys/token-verifier';
import { BearerChallenges } from './bearer-challenges';
import { BearerTokenGuard } from './bearer-token.guard';
import { Principal } from './principal.decorator';
import { Public } from './public.decorator';
import { RequireScopes } from './require-scopes.decorator';

const ISSUER = 'http://127.0.0.1:8000';
const RESOURCE = `${ISSUER}/mcp`;
const PRM = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;

const token = (
  scope: string[],
  overrides: Partial<VerifiedAccessToken> = {},
): VerifiedAccessToken => ({
  jti: 'jti-1',
  sub: 'user-1',
  clientId: 'client-1',
  scope,
  audience: RESOURCE,
  issuedAt: 1_700_000_000,
  expiresAt: 1_700_003_600,
  ...overrides,
});

/** Maps fixed strings to verification results, recording the audience it was asked for. */
class FakeVerifier extends TokenVerifier {
  audiences: string[] = [];
  async verify(value: string, expectedAudience: string): Promise<VerifiedAccessToken> {
    this.audiences.push(expectedAudience);
    switch (value) {
      case 'read-token':
        return token(['read']);
      case 'rw-token':
        return token(['read', 'write']);
      case 'foreign-aud':
        return token(['read'], { audience: 'https://elsewhere.example/mcp' });
      case 'expired':
        throw new TokenRejectedError('expired');
      case 'boom':
        throw new Error('database down');
      default:
        throw new TokenRejectedError('signature');
    }
  }
}

@Controller('probe')
@RequireScopes('read')
class ProbeController {
  @Get('read')
  read(@Principal() principal: Principal): Principal {
    return principal;
  }

  @Get('write')
  @RequireScopes('write')
  write(): string {
    return 'ok';
  }

  @Get('public')
  @Public()
  open(): string {
    return 'open';
  }
}

@Controller('plain')
class PlainController {
  @Get()
  plain(): string {
    return 'plain';
  }
}

describe(BearerTokenGuard.name, () => {
  let app: INestApplication;
  const verifier = new FakeVerifier();

  beforeAll(async () => {
    const env = validateEnv({
      NODE_ENV: 'test',
      ISSUER,
      APP_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'memory://',
    });
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController, PlainController],
      providers: [
        { provide: AppConfig, useValue: new AppConfig(env, 'x'.repeat(40)) },
        { provide: TokenVerifier, useValue: verifier },
        BearerChallenges,
        { provide: APP_GUARD, useClass: BearerTokenGuard },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    app.use(express.json());
    app.useGlobalFilters(new OAuthErrorFilter('json'));
    await app.init();
  });
  afterAll(() => app.close());

  it('should answer a request without credentials with a bare 401 challenge', async () => {
    const res = await request(app.getHttpServer()).get('/plain').expect(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer scope="read write", resource_metadata="${PRM}"`,
    );
    expect(res.body).toEqual({
      error: 'unauthorized',
      error_description: 'authentication required',
    });
  });

  it('should ignore a token in the query string', async () => {
    const res = await request(app.getHttpServer()).get('/plain?access_token=rw-token').expect(401);
    expect(res.headers['www-authenticate']).not.toContain('error=');
  });

  it('should treat another authorization scheme as no credentials', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Basic YTpi')
      .expect(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer scope="read write", resource_metadata="${PRM}"`,
    );
  });

  it('should reject a malformed Authorization header with 400 invalid_request', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Bearer a b')
      .expect(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'malformed bearer token',
    });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer error="invalid_request", error_description="malformed bearer token", resource_metadata="${PRM}"`,
    );
  });

  it('should reject an invalid token with 401 invalid_token', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Bearer forged')
      .expect(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="invalid access token", scope="read write", resource_metadata="${PRM}"`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'invalid access token' });
  });

  it('should say why a token was refused when the reason is safe to tell', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Bearer expired')
      .expect(401);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'access token expired' });
  });

  it('should verify against the MCP resource and refuse a token for another audience', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Bearer foreign-aud')
      .expect(401);
    expect(res.body.error_description).toBe('access token not issued for this resource');
    expect(verifier.audiences.at(-1)).toBe(RESOURCE);
  });

  it('should let a verifier failure that is not a rejection become a 500', async () => {
    const res = await request(app.getHttpServer())
      .get('/plain')
      .set('Authorization', 'Bearer boom')
      .expect(500);
    expect(res.body.error).toBe('server_error');
  });

  it('should attach the principal for @Principal()', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/read')
      .set('Authorization', 'Bearer read-token')
      .expect(200);
    expect(res.body).toEqual({
      sub: 'user-1',
      clientId: 'client-1',
      scope: ['read'],
      jti: 'jti-1',
      expiresAt: 1_700_003_600,
      audience: RESOURCE,
    });
  });

  it('should let the handler scopes override the controller scopes', async () => {
    await request(app.getHttpServer())
      .get('/probe/write')
      .set('Authorization', 'Bearer rw-token')
      .expect(200);
  });

  it('should answer a missing scope with 403 and the needed plus granted scopes', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/write')
      .set('Authorization', 'Bearer read-token')
      .expect(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_scope", error_description="requires scope write", scope="read write", resource_metadata="${PRM}"`,
    );
    expect(res.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'requires scope write',
    });
  });

  it('should not ask for a token on a @Public() route', async () => {
    await request(app.getHttpServer()).get('/probe/public').expect(200, 'open');
  });
});
