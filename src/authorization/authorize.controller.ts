import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import type { RawParams } from 'src/oauth/request-params';
import { RateLimit } from 'src/rate-limit/rate-limit.decorator';
import { BrowserResponder } from 'src/session/browser-responder';
import type { BrowserContext } from 'src/session/cookie-intent';
import type { SignedInUser } from 'src/session/session.service';
import { Browser, SignedIn, WithBrowserSession } from 'src/session/signed-in';
import { AuthorizeService } from './authorize.service';
import { LoginService } from './login.service';

/**
 * The browser-facing interaction: /authorize, /login, /consent. Errors render as pages. HTTP stays
 * here: the session is resolved by `SessionGuard`, services return outcomes and cookie intents,
 * `BrowserResponder` writes them.
 */
@Public()
@Controller()
@WithBrowserSession()
@UseFilters(new OAuthErrorFilter('html'))
export class AuthorizeController {
  constructor(
    private readonly authorizeService: AuthorizeService,
    private readonly loginService: LoginService,
    private readonly responder: BrowserResponder,
  ) {}

  @Get(['oauth/authorize', 'authorize'])
  @RateLimit('authorize')
  async authorize(
    @Query() query: RawParams,
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.responder.send(
      res,
      await this.authorizeService.authorize(query, req.originalUrl, signedIn),
      req.method,
    );
  }

  @Post(['consent'])
  async consent(
    @Body() body: RawParams,
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.responder.send(res, await this.authorizeService.decide(body ?? {}, signedIn), req.method);
  }

  @Get('login')
  showLogin(
    @Query() query: RawParams,
    @Browser() browser: BrowserContext,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    this.responder.send(res, this.loginService.show(query, browser), req.method);
  }

  @Post('login')
  @RateLimit('login')
  async login(
    @Body() body: RawParams,
    @Browser() browser: BrowserContext,
    @SignedIn() previous: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.responder.send(
      res,
      await this.loginService.submit(body ?? {}, browser, previous),
      req.method,
    );
  }
}
