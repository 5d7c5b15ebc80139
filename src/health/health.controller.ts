import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { html } from 'src/common/html/html';
import { layout } from 'src/common/html/layout';
import { sendHtml } from 'src/common/html/send-html';
import { ReadinessService } from './readiness.service';

@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is up and serving HTTP (no dependency is checked: a restart would not fix them). */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(@Res({ passthrough: true }) res: Response): { status: 'ok' } {
    res.setHeader('Cache-Control', 'no-store');
    return { status: 'ok' };
  }

  /** Ready for traffic: database, signing keys, Redis when configured, not shutting down. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const { up, result } = await this.readiness.check();
    res.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    res.setHeader('Cache-Control', 'no-store');
    return result;
  }

  /** The same checks as a page for people. */
  @Get()
  async page(@Res() res: Response): Promise<void> {
    const { up, result } = await this.readiness.check();
    const rows = Object.entries(result.details).map(
      ([name, detail]) =>
        html`<tr>
          <td>${name}</td>
          <td class="${detail.status === 'up' ? '' : 'error'}">${detail.status}</td>
          <td class="muted">${typeof detail.message === 'string' ? detail.message : ''}</td>
        </tr>`,
    );
    const body = html`<h1>${up ? 'Ready' : 'Not ready'}</h1>
      <p>
        ${up ? 'Every check passes: this instance takes traffic.' : 'A check fails: this instance should not get traffic now.'}
      </p>
      <table>
        <tr>
          <th>check</th>
          <th>status</th>
          <th></th>
        </tr>
        ${rows}
      </table>
      <p class="muted">
        Machine-readable: <code>/health/live</code> (process up), <code>/health/ready</code> (JSON,
        503 when not ready).
      </p>`;
    sendHtml(res, up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, layout('Health', body));
  }
}
