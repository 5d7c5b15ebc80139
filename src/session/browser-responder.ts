import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { sendOutcome } from 'src/common/html/page-outcome';
import type { BrowserOutcome } from './cookie-intent';
import { SessionService } from './session.service';

/** The edge of the browser flows: writes an outcome's cookie intents, then the page or redirect. */
@Injectable()
export class BrowserResponder {
  constructor(private readonly sessions: SessionService) {}

  send(res: Response, outcome: BrowserOutcome, method: string): void {
    for (const intent of outcome.cookies ?? []) {
      const { name, value, options } = this.sessions.cookieOf(intent);
      if (value === null) res.clearCookie(name, options);
      else res.cookie(name, value, options);
    }
    sendOutcome(res, outcome, method);
  }
}
