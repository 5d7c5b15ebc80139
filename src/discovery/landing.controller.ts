import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { sendHtml } from 'src/common/html/send-html';
import { AppConfig } from 'src/config/app-config';
import { landingPage } from './landing-page';

/** The landing page at `/` (the metadata's service_documentation). */
@Public()
@Controller()
export class LandingController {
  private page: string | undefined;

  constructor(private readonly config: AppConfig) {}

  @Get()
  landing(@Res() res: Response): void {
    this.page ??= landingPage(this.config);
    sendHtml(res, 200, this.page);
  }
}
