import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from 'src/bearer/public.decorator';
import { AppConfig } from 'src/config/app-config';
import { AccessDenied, NotFound } from 'src/oauth/errors/oauth-errors';
import { BearerError } from 'src/oauth/errors/bearer.error';
import { metricsAccess } from './metrics-access';
import { MetricsService } from './metrics.service';

/** GET /metrics: the Prometheus text format (README: Metrics). */
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get('metrics')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.metrics.enabled) throw NotFound('not found');
    const access = metricsAccess(req, { token: this.config.metrics.token, trustProxy: this.config.trustProxy });
    if (access === 'loopback_only') {
      throw AccessDenied('metrics are served to loopback callers only; set METRICS_TOKEN to allow others');
    }
    // RFC 6750 §3: no credentials → a bare challenge; a wrong token → invalid_token.
    if (access === 'token_required') throw new BearerError(undefined, undefined, { realm: 'metrics' });
    if (access === 'bad_token') throw new BearerError('invalid_token', 'invalid metrics token', { realm: 'metrics' });
    const { contentType, body } = await this.metrics.render();
    // Exactly the exposition format's content type (express's send() would insert a charset).
    res.status(200);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  }
}
