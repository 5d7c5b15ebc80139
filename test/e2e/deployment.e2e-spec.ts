import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

/** docker-compose.yml cannot run here (no Docker engine); this checks what it promises. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

  it('should define postgres, redis and the app, and Prometheus and Grafana in the monitoring profile, each with a health check', () => {
    const services = Object.entries<Record<string, unknown>>(compose.services);
    expect(services.filter(([, s]) => !s.profiles).map(([name]) => name).sort()).toEqual(['app', 'postgres', 'redis']);
    expect(services.filter(([, s]) => s.profiles).map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    for (const [, service] of services) {
      expect(service.healthcheck).toBeDefined();
      if (service.profiles) expect(service.profiles).toEqual(['monitoring']);
    }
  });

  it('should scrape the app with the same METRICS_TOKEN and provision the dashboard, whose queries use only metrics the app exports', () => {
    expect(compose.services.app.environment.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
    expect(compose.configs['metrics-token'].content).toBe('${METRICS_TOKEN:-}');
    const prometheus = parse(readFileSync(join(root, 'deploy/monitoring/prometheus.yml'), 'utf8'));
    const job = prometheus.scrape_configs[0];
    expect(job.static_configs[0].targets).toEqual(['app:8000']);
    expect(job.metrics_path).toBe('/metrics');
    expect(job.authorization.credentials_file).toBe(compose.services.prometheus.configs[0].target);
    for (const mount of [...compose.services.prometheus.volumes, ...compose.services.grafana.volumes]) {
      const source = String(mount).split(':')[0];
      if (source.startsWith('./')) expect(existsSync(join(root, source))).toBe(true);
    }
    const dashboard = JSON.parse(
      readFileSync(join(root, 'deploy/monitoring/grafana/dashboards/mcp-oauth-server.json'), 'utf8'),
    );
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(15);
    const used = new Set(exprs.flatMap((e) => e.match(/\b(?:http|mcp_oauth|process|nodejs)_[a-z0-9_]+/g) ?? []));
    const exported = readFileSync(join(root, 'test/e2e/observability.e2e-spec.ts'), 'utf8');
    for (const name of used) {
      const family = name.replace(/_(bucket|count|sum)$/, '');
      // Every family the dashboard reads is one the observability e2e spec checks /metrics for.
      expect({ name, checked: exported.includes(`'${family}'`) }).toEqual({ name, checked: true });
    }
  });

  it('should build the app from the Dockerfile and wait for healthy dependencies', () => {
    const app = compose.services.app;
    expect(app.build).toBe('.');
    expect(app.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    // The README's Node and npm: Node 20 images ship npm 10.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/Node\.js 20\.19\+ and npm 11/);
    expect(dockerfile).toMatch(/^FROM node:20-/m);
    expect(dockerfile).toMatch(/^RUN npm install -g npm@11\./m);
    // npm ci runs the postinstall script: it must be in the image before npm ci.
    expect(dockerfile.indexOf('COPY scripts')).toBeGreaterThan(-1);
    expect(dockerfile.indexOf('COPY scripts')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
  });

  it('should point the app at postgres and redis and demand a secret in production', () => {
    const env = compose.services.app.environment;
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/\w+:\w+@postgres:5432\/\w+$/);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.APP_SECRET).toMatch(/^\$\{APP_SECRET:\?/);
    // The README's settings pass through: the demo data and the administrator client.
    expect(env.SEED_DEMO).toBe('${SEED_DEMO:-false}');
    expect(env.ADMIN_CLIENT_ID).toBe('${ADMIN_CLIENT_ID:-}');
    expect(env.ADMIN_CLIENT_SECRET).toBe('${ADMIN_CLIENT_SECRET:-}');
    expect(compose.services.app.ports).toContain('8000:8000');
  });

  it('should keep data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['app-data', 'grafana-data', 'postgres-data', 'prometheus-data']);
    expect(compose.services.postgres.volumes[0]).toMatch(/^postgres-data:/);
  });
});
