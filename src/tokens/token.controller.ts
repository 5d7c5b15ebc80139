import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { callerOf } from 'src/clients/client-authenticator.service';
import { InvalidRequest } from 'src/oauth/errors/oauth-errors';
import type { RawParams } from 'src/oauth/request-params';
import { RateLimit } from 'src/rate-limit/rate-limit.decorator';
import { TokenResponse } from './token-issuer.service';
import { TokenService } from './token.service';

@Public()
@Controller()
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post(['oauth/token', 'token'])
  @HttpCode(200)
  @RateLimit('token')
  async token(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: RawParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw InvalidRequest('content type must be application/x-www-form-urlencoded');
    }
    const response = await this.tokens.exchange(authorization, body ?? {}, callerOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return response;
  }
}
