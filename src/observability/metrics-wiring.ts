import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { PasswordHasher } from 'src/common/password-hasher';
import { DataSource } from 'typeorm';
import { MetricsService } from './metrics.service';

/** The counters node-postgres' Pool keeps (and the PGlite pool mirrors, database/pglite-pool.ts). */
interface PoolCounters {
  totalCount?: number;
  idleCount?: number;
  waitingCount?: number;
}

/**
 * Connects the state other modules keep to gauges read at scrape time: the database pool, the
 * bcrypt queue (PasswordHasher's concurrency cap), the audit queue; and the audit trail to the
 * security counters. A module with more to show calls `MetricsService.registerGauge` itself.
 */
@Injectable()
export class MetricsWiring implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const { metrics, audit, hasher } = this;
    audit.observe((event) => metrics.observeAuditEvent(event));

    const pool = (): PoolCounters => {
      const master = (this.dataSource.driver as unknown as { master?: PoolCounters }).master;
      return master ?? {};
    };
    metrics.registerGauge({
      name: 'mcp_oauth_db_pool_connections',
      help: 'Database connections of the pool by state (in_use, idle)',
      labelNames: ['state'],
      read: () => {
        const { totalCount = 0, idleCount = 0 } = pool();
        return [
          { labels: { state: 'in_use' }, value: Math.max(0, totalCount - idleCount) },
          { labels: { state: 'idle' }, value: idleCount },
        ];
      },
    });
    metrics.registerGauge({
      name: 'mcp_oauth_db_pool_waiting',
      help: 'Queries waiting for a database connection',
      read: () => pool().waitingCount ?? 0,
    });
    metrics.registerGauge({
      name: 'mcp_oauth_bcrypt_active',
      help: 'bcrypt hashes and comparisons running (capped at about one per core)',
      read: () => hasher.stats().active,
    });
    metrics.registerGauge({
      name: 'mcp_oauth_bcrypt_queue',
      help: 'bcrypt hashes and comparisons waiting for a slot',
      read: () => hasher.stats().queued,
    });
    metrics.registerGauge({
      name: 'mcp_oauth_audit_queue',
      help: 'Audit events recorded and not yet written to the database',
      read: () => audit.stats().queued,
    });
    metrics.registerCounter({
      name: 'mcp_oauth_audit_events_dropped_total',
      help: 'Audit events lost (queue full, database unavailable twice, or shut down)',
      read: () => audit.stats().dropped,
    });
  }
}
