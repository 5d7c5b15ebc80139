import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { sendOutcome } from 'src/common/html/page-outcome';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import type { RawParams } from 'src/oauth/request-params';
import { RateLimit } from 'src/rate-limit/rate-limit.decorator';
import { AuthorizeService } from './authorize.service';
import { LoginService } from './login.service';

const send = sendOutcome;

/** The browser-facing interaction: /authorize, /login, /consent. Errors render as pages. */
@Public()
@Controller()
@UseFilters(new OAuthErrorFilter('html'))
export class AuthorizeController {
  constructor(
    private readonly authorizeService: AuthorizeService,
    private readonly loginService: LoginService,
  ) {}

  @Get(['oauth/authorize', 'authorize'])
  @RateLimit('authorize')
  async authorize(
    @Query() query: RawParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.authorizeService.authorize(query, req.originalUrl, req, res), req.method);
  }

  @Post(['consent'])
  async consent(@Body() body: RawParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.authorizeService.decide(body ?? {}, req, res), req.method);
  }

  @Get('login')
  showLogin(@Query() query: RawParams, @Req() req: Request, @Res() res: Response): void {
    send(res, this.loginService.show(query, req, res), req.method);
  }

  @Post('login')
  @RateLimit('login')
  async login(@Body() body: RawParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.loginService.submit(body ?? {}, req, res), req.method);
  }
}
