import { Body, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from 'src/audit/audited.decorator';
import { Public } from 'src/bearer/public.decorator';
import { sendHtml } from 'src/common/html/send-html';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import type { RawParams } from 'src/oauth/request-params';
import { AccountAppsService, AccountOutcome } from './account-apps.service';

function send(res: Response, outcome: AccountOutcome, method: string): void {
  if (outcome.kind === 'page') return sendHtml(res, outcome.status, outcome.html);
  res.setHeader('Cache-Control', 'no-store');
  // 303 after a form POST, so a reload does not repeat it.
  res.redirect(method === 'POST' ? 303 : 302, outcome.url);
}

/** The person's pages (session cookie, not bearer): connected apps and sign-out. Errors are pages. */
@Public()
@Controller()
@UseFilters(new OAuthErrorFilter('html'))
export class AccountAppsController {
  constructor(private readonly service: AccountAppsService) {}

  @Get('account/apps')
  async show(@Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.service.show(req, res), req.method);
  }

  @Post('account/apps/revoke')
  @Audited('consent.revoked')
  async revoke(@Body() body: RawParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.service.revoke(body ?? {}, req, res), req.method);
  }

  @Post('logout')
  logout(@Body() body: RawParams, @Req() req: Request, @Res() res: Response): void {
    send(res, this.service.logout(body ?? {}, req, res), req.method);
  }
}
