import { MetricsService } from './metrics.service';

const value = async (sut: MetricsService, name: string, labels: Record<string, string> = {}) => {
  const metric = await sut.registry.getSingleMetric(name)?.get();
  const entry = metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return entry?.value;
};

describe(MetricsService.name, () => {
  let sut: MetricsService;
  beforeEach(() => (sut = new MetricsService()));

  it('should count and time requests by method, route pattern and status', async () => {
    sut.observeRequest('GET', '/admin/clients/:id', 200, 0.004);
    sut.observeRequest('GET', '/admin/clients/:id', 200, 0.02);
    sut.observeRequest('GET', '/admin/clients/:id', 404, 0.001);
    expect(await value(sut, 'http_requests_total', { route: '/admin/clients/:id', status: '200' })).toBe(2);
    expect(await value(sut, 'http_requests_total', { status: '404' })).toBe(1);
    const text = (await sut.render()).body;
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/admin/clients/:id"} 3');
  });

  it('should count token requests by grant type and outcome, with bounded labels', async () => {
    sut.observeRequest('POST', '/oauth/token', 200, 0.01, { grantType: 'refresh_token' });
    sut.observeRequest('POST', '/token', 400, 0.01, { grantType: 'refresh_token', errorCode: 'invalid_grant' });
    sut.observeRequest('POST', '/oauth/token', 400, 0.01, { grantType: 'x'.repeat(500), errorCode: 'unsupported_grant_type' });
    sut.observeRequest('POST', '/oauth/token', 413, 0.01, { grantType: ['a', 'b'] });
    expect(await value(sut, 'mcp_oauth_token_requests_total', { grant_type: 'refresh_token', outcome: 'success' })).toBe(1);
    expect(await value(sut, 'mcp_oauth_token_requests_total', { grant_type: 'refresh_token', outcome: 'invalid_grant' })).toBe(1);
    expect(await value(sut, 'mcp_oauth_token_requests_total', { grant_type: 'other', outcome: 'unsupported_grant_type' })).toBe(1);
    expect(await value(sut, 'mcp_oauth_token_requests_total', { grant_type: 'other', outcome: 'http_413' })).toBe(1);
  });

  it('should turn audit events into the security counters', async () => {
    sut.observeAuditEvent({ type: 'refresh.replayed', outcome: 'failure' });
    sut.observeAuditEvent({ type: 'code.replayed', outcome: 'failure' });
    sut.observeAuditEvent({ type: 'rate_limit.hit', outcome: 'failure', details: { limit: 'login.username' } });
    sut.observeAuditEvent({ type: 'login.failed', outcome: 'failure', details: { reason: 'bad_password' } });
    sut.observeAuditEvent({ type: 'login.failed', outcome: 'failure', details: { reason: 'demo_password' } });
    sut.observeAuditEvent({ type: 'login.locked', outcome: 'failure' });
    sut.observeAuditEvent({ type: 'login.succeeded', outcome: 'success' });
    expect(await value(sut, 'mcp_oauth_refresh_token_replays_total')).toBe(1);
    expect(await value(sut, 'mcp_oauth_authorization_code_replays_total')).toBe(1);
    expect(await value(sut, 'mcp_oauth_rate_limit_hits_total', { limit: 'login.username' })).toBe(1);
    expect(await value(sut, 'mcp_oauth_login_failures_total', { reason: 'bad_password' })).toBe(1);
    // A reason outside the known set is never a label value (it could be anything).
    expect(await value(sut, 'mcp_oauth_login_failures_total', { reason: 'other' })).toBe(1);
    expect(await value(sut, 'mcp_oauth_login_lockouts_total')).toBe(1);
    expect(await value(sut, 'mcp_oauth_audit_events_total', { type: 'login.succeeded', outcome: 'success' })).toBe(1);
    expect((await sut.render()).body).not.toContain('demo_password');
  });

  it('should read registered gauges and counters at scrape time, and survive a failing reader', async () => {
    let queued = 3;
    sut.registerGauge({ name: 'test_queue', help: 'q', read: () => queued });
    sut.registerGauge({
      name: 'test_pool',
      help: 'p',
      labelNames: ['state'],
      read: () => [
        { labels: { state: 'in_use' }, value: 2 },
        { labels: { state: 'idle' }, value: 8 },
      ],
    });
    sut.registerGauge({ name: 'test_broken', help: 'b', read: () => { throw new Error('no'); } });
    let dropped = 0;
    sut.registerCounter({ name: 'test_dropped_total', help: 'd', read: () => dropped });
    expect(await value(sut, 'test_queue')).toBe(3);
    queued = 0;
    dropped = 7;
    expect(await value(sut, 'test_queue')).toBe(0);
    expect(await value(sut, 'test_pool', { state: 'idle' })).toBe(8);
    expect(await value(sut, 'test_dropped_total')).toBe(7);
    // Registering again replaces the reader.
    sut.registerGauge({ name: 'test_queue', help: 'q', read: () => 42 });
    expect(await value(sut, 'test_queue')).toBe(42);
    expect((await sut.render()).body).toContain('test_queue 42');
  });

  it('should keep revocation lags by source and ignore nonsense', async () => {
    sut.observeRevocationLag(0.003, 'self');
    sut.observeRevocationLag(-1, 'peer');
    sut.observeRevocationLag(Number.NaN, 'peer');
    const text = (await sut.render()).body;
    expect(text).toContain('mcp_oauth_revocation_broadcast_lag_seconds_count{source="self"} 1');
    expect(text).not.toContain('mcp_oauth_revocation_broadcast_lag_seconds_count{source="peer"}');
  });
});
