import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

/** docker-compose.yml cannot run here (no Docker engine); this checks what it promises. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

  it('should define postgres, redis and the app, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres', 'redis']);
    for (const service of Object.values<Record<string, unknown>>(compose.services)) {
      expect(service.healthcheck).toBeDefined();
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
    expect(compose.services.app.ports).toContain('8000:8000');
  });

  it('should keep data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['app-data', 'postgres-data']);
    expect(compose.services.postgres.volumes[0]).toMatch(/^postgres-data:/);
  });
});
