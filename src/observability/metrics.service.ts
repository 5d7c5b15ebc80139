import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditRecord } from 'src/audit/audit-event-types';

/** What a gauge callback returns: one value, or one value per label set. */
export type GaugeReading = number | Array<{ labels: Record<string, string>; value: number }>;

export interface GaugeDefinition {
  /** Full metric name, e.g. `mcp_oauth_db_pool_waiting`. */
  name: string;
  help: string;
  labelNames?: string[];
  /** Read at every scrape (keep it cheap and synchronous; it must not throw). */
  read: () => GaugeReading;
}

/** Grant types counted by name; anything else a client sends is counted as `other`. */
const KNOWN_GRANT_TYPES: ReadonlySet<string> = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
]);
/** The token endpoint's route patterns (RFC 6749 §3.2). */
export const TOKEN_ROUTES: ReadonlySet<string> = new Set(['/oauth/token', '/token']);
const LOGIN_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'unknown_user',
  'bad_password',
  'disabled',
  'locked',
]);

/** Seconds; from a cached /health/live answer to a bcrypt-bound login. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface RequestSeries {
  count: { inc(): void };
  duration: { observe(seconds: number): void };
}

/**
 * The Prometheus metrics of one application instance (its own registry, so several apps in one
 * process never share series). Request metrics come from one middleware, the security counters
 * from one hook on the audit trail, gauges from callbacks other modules register
 * (`registerGauge`), read only when Prometheus scrapes. Labels are bounded: route patterns, grant
 * types, error codes, audit types, never a path, an id or a client.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokenRequests = new Counter({
    name: 'mcp_oauth_token_requests_total',
    help: 'Token endpoint requests by grant type and outcome (success = tokens issued, else the OAuth error code)',
    labelNames: ['grant_type', 'outcome'],
    registers: [this.registry],
  });
  private readonly auditEvents = new Counter({
    name: 'mcp_oauth_audit_events_total',
    help: 'Audit events recorded, by type and outcome',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  private readonly refreshReplays = new Counter({
    name: 'mcp_oauth_refresh_token_replays_total',
    help: 'Refresh tokens presented again after rotation (the grant was revoked)',
    registers: [this.registry],
  });
  private readonly codeReplays = new Counter({
    name: 'mcp_oauth_authorization_code_replays_total',
    help: 'Authorization codes presented a second time (the grant was revoked)',
    registers: [this.registry],
  });
  private readonly rateLimitHits = new Counter({
    name: 'mcp_oauth_rate_limit_hits_total',
    help: 'Keys that went over a rate limit (once per key and window), by limit; every refused request is also in http_requests_total{status="429"}',
    labelNames: ['limit'],
    registers: [this.registry],
  });
  private readonly loginFailures = new Counter({
    name: 'mcp_oauth_login_failures_total',
    help: 'Failed sign-ins by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly lockouts = new Counter({
    name: 'mcp_oauth_login_lockouts_total',
    help: 'Accounts locked after consecutive failed sign-ins',
    registers: [this.registry],
  });
  private readonly revocationLag = new Histogram({
    name: 'mcp_oauth_revocation_broadcast_lag_seconds',
    help: 'Time from sending a revocation notice to receiving it (source=self: this instance’s own notice, same clock; peer: another instance’s, subject to clock skew)',
    labelNames: ['source'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  /** One child series per method+route+status: found by one Map lookup per request. */
  private readonly series = new Map<string, RequestSeries>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A finished HTTP request (called once per request by the request-observer middleware). */
  observeRequest(
    method: string,
    route: string,
    status: number,
    seconds: number,
    tokenRequest?: { grantType: unknown; errorCode?: string },
  ): void {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        count: this.httpRequests.labels(method, route, String(status)),
        duration: this.httpDuration.labels(method, route),
      };
      this.series.set(key, series);
    }
    series.count.inc();
    series.duration.observe(seconds);
    if (tokenRequest && TOKEN_ROUTES.has(route)) {
      const grantType =
        typeof tokenRequest.grantType === 'string' && KNOWN_GRANT_TYPES.has(tokenRequest.grantType)
          ? tokenRequest.grantType
          : 'other';
      const outcome = status < 400 ? 'success' : (tokenRequest.errorCode ?? `http_${status}`);
      this.tokenRequests.labels(grantType, outcome).inc();
    }
  }

  /** An audit event was recorded: the security counters follow the trail (AuditService hook). */
  observeAuditEvent(event: AuditRecord): void {
    this.auditEvents.labels(event.type, event.outcome).inc();
    switch (event.type) {
      case 'refresh.replayed':
        this.refreshReplays.inc();
        break;
      case 'code.replayed':
        this.codeReplays.inc();
        break;
      case 'rate_limit.hit': {
        const limit = event.details?.limit;
        this.rateLimitHits.labels(typeof limit === 'string' ? limit.slice(0, 64) : 'unknown').inc();
        break;
      }
      case 'login.failed': {
        const reason = event.details?.reason;
        this.loginFailures
          .labels(typeof reason === 'string' && LOGIN_FAILURE_REASONS.has(reason) ? reason : 'other')
          .inc();
        break;
      }
      case 'login.locked':
        this.lockouts.inc();
        break;
    }
  }

  /** A revocation notice arrived `seconds` after it was sent. */
  observeRevocationLag(seconds: number, source: 'self' | 'peer'): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.revocationLag.labels(source).observe(seconds);
  }

  /**
   * Registers a gauge read at scrape time, for state other modules own (pool sizes, queue depths).
   * Registering the same name again replaces the callback (one per application).
   */
  registerGauge(definition: GaugeDefinition): void {
    const existing = this.registry.getSingleMetric(definition.name);
    if (existing) this.registry.removeSingleMetric(definition.name);
    const { read } = definition;
    new Gauge({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames ?? [],
      registers: [this.registry],
      collect() {
        this.reset();
        let reading: GaugeReading;
        try {
          reading = read();
        } catch {
          return;
        }
        if (typeof reading === 'number') this.set(reading);
        else for (const { labels, value } of reading) this.set(labels, value);
      },
    });
  }

  /** Registers a counter whose total another module keeps (e.g. audit events dropped). */
  registerCounter(definition: { name: string; help: string; read: () => number }): void {
    const existing = this.registry.getSingleMetric(definition.name);
    if (existing) this.registry.removeSingleMetric(definition.name);
    const { read } = definition;
    new Counter({
      name: definition.name,
      help: definition.help,
      registers: [this.registry],
      collect() {
        try {
          const total = read();
          this.reset();
          if (total > 0) this.inc(total);
        } catch {
          // a failing reader leaves the series at zero rather than failing the scrape
        }
      },
    });
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
