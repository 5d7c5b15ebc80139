import { Body, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from 'src/audit/audited.decorator';
import { Public } from 'src/bearer/public.decorator';
import { sendOutcome } from 'src/common/html/page-outcome';
import { OAuthErrorFilter } from 'src/oauth/errors/oauth-error.filter';
import type { RawParams } from 'src/oauth/request-params';
import { AccountAppsService } from './account-apps.service';

const send = sendOutcome;

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
