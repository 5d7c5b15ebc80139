import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { callerOf, ClientAuthenticator } from 'src/clients/client-authenticator.service';
import { InvalidClient, InvalidRequest } from 'src/oauth/errors/oauth-errors';
import { duplicated, RawParams, required } from 'src/oauth/request-params';
import { RateLimit } from 'src/rate-limit/rate-limit.decorator';
import { IntrospectionResponse, IntrospectionService } from './introspection.service';
import { TokenRevocationService } from './token-revocation.service';

/** Shared by both endpoints: a form, each parameter once, an authenticated client. */
function checkForm(req: Request, body: RawParams): void {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw InvalidRequest('content type must be application/x-www-form-urlencoded');
  }
  const dupes = duplicated(body);
  if (dupes.length) throw InvalidRequest(`${dupes[0]} must be given once`);
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

@Public()
@Controller()
export class RevocationController {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly revocation: TokenRevocationService,
    private readonly introspection: IntrospectionService,
  ) {}

  /** RFC 7009 §2. */
  @Post(['oauth/revoke', 'revoke'])
  @HttpCode(200)
  @RateLimit('revoke')
  async revoke(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: RawParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    checkForm(req, body ?? {});
    const { client } = await this.authenticator.authenticate(authorization, body, callerOf(req));
    await this.revocation.revoke(client, required(body, 'token'));
    noStore(res);
  }

  /** RFC 7662 §2: confidential callers only. */
  @Post(['oauth/introspect', 'introspect'])
  @HttpCode(200)
  @RateLimit('introspect')
  async introspect(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: RawParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IntrospectionResponse> {
    checkForm(req, body ?? {});
    const { client, method } = await this.authenticator.authenticate(authorization, body, callerOf(req));
    if (method === 'none') throw InvalidClient('introspection requires client authentication');
    const result = await this.introspection.introspect(client, required(body, 'token'));
    noStore(res);
    return result;
  }
}
