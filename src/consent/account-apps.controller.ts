import { Body, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { setAuditContext } from 'src/audit/audit-context';
import { Audited } from 'src/audit/audited.decorator';
import { Public } from 'src/bearer/public.decorator';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import type { RawParams } from 'src/oauth/request-params';
import { BrowserResponder } from 'src/session/browser-responder';
import type { SignedInUser } from 'src/session/session.service';
import { SignedIn, WithBrowserSession } from 'src/session/signed-in';
import { AccountAppsService, AccountOutcome } from './account-apps.service';

/**
 * The person's pages (session cookie, not bearer): connected apps, sign-out, sign out everywhere.
 * Errors are pages. The session is resolved by `SessionGuard`; outcomes are written by
 * `BrowserResponder`, their audit details handed to the audit interceptor.
 */
@Public()
@Controller()
@WithBrowserSession()
@UseFilters(new OAuthErrorFilter('html'))
export class AccountAppsController {
  constructor(
    private readonly service: AccountAppsService,
    private readonly responder: BrowserResponder,
  ) {}

  @Get('account/apps')
  async show(
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.send(req, res, await this.service.show(signedIn));
  }

  @Post('account/apps/revoke')
  @Audited('consent.revoked')
  async revoke(
    @Body() body: RawParams,
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (signedIn) setAuditContext(req, { userId: signedIn.user.id });
    this.send(req, res, await this.service.revoke(body ?? {}, signedIn));
  }

  @Post('logout')
  async logout(
    @Body() body: RawParams,
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.send(req, res, await this.service.logout(body ?? {}, signedIn));
  }

  @Post('account/sessions/revoke')
  @Audited('session.revoked_all')
  async signOutEverywhere(
    @Body() body: RawParams,
    @SignedIn() signedIn: SignedInUser | null,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (signedIn) setAuditContext(req, { userId: signedIn.user.id });
    this.send(req, res, await this.service.signOutEverywhere(body ?? {}, signedIn));
  }

  private send(req: Request, res: Response, outcome: AccountOutcome): void {
    if (outcome.audit) setAuditContext(req, outcome.audit);
    this.responder.send(res, outcome, req.method);
  }
}
