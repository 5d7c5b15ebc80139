import {
  Controller,
  Get,
  Header,
  HttpCode,
  INestApplication,
  NotFoundException,
  Post,
  Req,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { requestIdMiddleware } from 'src/common/request-id.middleware';
import { InvalidGrant } from 'src/oauth/errors/oauth-errors';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import { setAuditContext } from './audit-context';
import { AuditRecord } from './audit-event-types';
import { Audited } from './audited.decorator';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

const USER_ID = '5d0c3c2e-8f0e-4a57-9a43-4a3c2f1f0b11';

@Controller()
class ProbeController {
  @Post('ok')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @Audited('token.issued', {
    details: (req) => ({ grant_type: req.query.grant_type, code: 'abc' }),
  })
  ok(): { access_token: string } {
    return { access_token: 'at-value' };
  }

  @Get('fail')
  @Audited('token.issued')
  fail(): never {
    throw InvalidGrant('code expired');
  }

  @Get('crash')
  @Audited('token.issued')
  crash(): never {
    throw new Error('db down');
  }

  @Get('not-found')
  @Audited('admin.call')
  notFound(): never {
    throw new NotFoundException();
  }

  @Get('context')
  @Audited('consent.granted')
  async context(@Req() req: Request): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    setAuditContext(req, { userId: USER_ID, details: { scope: 'read' } });
    setAuditContext(req, { clientId: 'client-ctx', details: { resource: 'r' } });
    return 'done';
  }

  @Get('principal')
  @Audited('tool.called')
  principal(): string {
    return 'hello';
  }

  @Get('plain')
  plain(): string {
    return 'not audited';
  }
}

describe(AuditInterceptor.name, () => {
  let app: INestApplication;
  const events: AuditRecord[] = [];
  const fakeAudit = { record: jest.fn((e: AuditRecord) => void events.push(e)) };
  let principal: { sub: string; clientId: string; userId?: string };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [
        { provide: AuditService, useValue: fakeAudit },
        // @Audited binds the interceptor itself; there is no global one.
        AuditInterceptor,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(requestIdMiddleware);
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (req.path === '/principal')
        (req as Request & { principal: unknown }).principal = principal;
      next();
    });
    app.useGlobalFilters(new OAuthErrorFilter('json'));
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    events.length = 0;
    fakeAudit.record.mockClear();
    principal = { sub: USER_ID, clientId: 'client-p', userId: USER_ID };
  });

  it('should record a success after the handler completes and leave the response unchanged', async () => {
    const res = await request(app.getHttpServer())
      .post('/ok?grant_type=authorization_code')
      .set('User-Agent', 'probe/1.0')
      .set('X-Request-Id', 'req-00000001')
      .expect(201);
    expect(res.body).toEqual({ access_token: 'at-value' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(events).toEqual([
      {
        type: 'token.issued',
        outcome: 'success',
        userId: null,
        clientId: null,
        ip: expect.any(String),
        userAgent: 'probe/1.0',
        requestId: 'req-00000001',
        details: { grant_type: 'authorization_code', code: 'abc', duration_ms: expect.any(Number) },
      },
    ]);
  });

  it('should record a failure with the OAuth error code and rethrow the same error', async () => {
    const res = await request(app.getHttpServer()).get('/fail').expect(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'code expired' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'token.issued',
      outcome: 'failure',
      details: { error: 'invalid_grant', status: 400 },
    });
  });

  it('should record a failure for an unexpected error without changing the 500 response', async () => {
    const res = await request(app.getHttpServer()).get('/crash').expect(500);
    expect(res.body).toEqual({ error: 'server_error', error_description: 'internal server error' });
    expect(events[0].outcome).toBe('failure');
    expect(events[0].details).not.toHaveProperty('error');
    expect(JSON.stringify(events)).not.toContain('db down');
  });

  it('should record the status of an HttpException', async () => {
    await request(app.getHttpServer()).get('/not-found').expect(404);
    expect(events[0]).toMatchObject({
      type: 'admin.call',
      outcome: 'failure',
      details: { status: 404 },
    });
  });

  it('should take user and client from the audit context set by the handler, merging its details', async () => {
    await request(app.getHttpServer()).get('/context').expect(200, 'done');
    expect(events[0]).toMatchObject({
      type: 'consent.granted',
      outcome: 'success',
      userId: USER_ID,
      clientId: 'client-ctx',
      details: { scope: 'read', resource: 'r' },
    });
    expect(events[0].details!.duration_ms).toBeGreaterThanOrEqual(4);
  });

  it('should take user and client from the principal when no audit context is set', async () => {
    await request(app.getHttpServer()).get('/principal').expect(200, 'hello');
    expect(events[0]).toMatchObject({ type: 'tool.called', userId: USER_ID, clientId: 'client-p' });
  });

  it('should take the user from the principal subject unless it is the client itself', async () => {
    principal = { sub: USER_ID, clientId: 'client-p' };
    await request(app.getHttpServer()).get('/principal').expect(200);
    principal = { sub: 'client-p', clientId: 'client-p' };
    await request(app.getHttpServer()).get('/principal').expect(200);
    expect(events.map((e) => [e.userId, e.clientId])).toEqual([
      [USER_ID, 'client-p'],
      [null, 'client-p'],
    ]);
  });

  it('should truncate the user agent to 512 characters', async () => {
    await request(app.getHttpServer())
      .get('/principal')
      .set('User-Agent', 'u'.repeat(2000))
      .expect(200);
    expect(events[0].userAgent).toHaveLength(512);
  });

  it('should not record handlers without @Audited', async () => {
    await request(app.getHttpServer()).get('/plain').expect(200, 'not audited');
    expect(fakeAudit.record).not.toHaveBeenCalled();
  });

  it('should leave the response and the error unchanged even if recording throws', async () => {
    fakeAudit.record.mockImplementationOnce(() => {
      throw new Error('audit broken');
    });
    await request(app.getHttpServer()).post('/ok').expect(201, { access_token: 'at-value' });
    fakeAudit.record.mockImplementationOnce(() => {
      throw new Error('audit broken');
    });
    const res = await request(app.getHttpServer()).get('/fail').expect(400);
    expect(res.body.error).toBe('invalid_grant');
  });
});
