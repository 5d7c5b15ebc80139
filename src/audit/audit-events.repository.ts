import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from 'src/config/app-config';
import { AuditCursorCodec, isUuid } from './audit-cursor';
import { AuditEvent } from './audit-event.entity';
import { AuditEventType } from './audit-event-types';
import { purgeBatch, PurgeSpec } from 'src/database/batched-purge';

const AUDIT_PURGE: PurgeSpec = {
  lock: 'audit_events',
  table: 'audit_events',
  key: 'id',
  where: 't.at < $1',
  orderBy: 't.at',
};

/** A row to write; its details already as JSON text (redacted, JSON-safe, bounded by AuditService). */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'details'> & { detailsJson: string };

export interface AuditQueryFilters {
  type?: AuditEventType;
  userId?: string;
  clientId?: string;
  /** Inclusive lower bound on `at`. */
  from?: Date;
  /** Exclusive upper bound on `at`. */
  to?: Date;
  /** Page size, 1..200 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  /** Newest first: (at DESC, id DESC). */
  items: AuditEvent[];
  /** Cursor for the next page; null on the last page. */
  nextCursor: string | null;
}

export const AUDIT_QUERY_MAX_LIMIT = 200;
export const AUDIT_QUERY_DEFAULT_LIMIT = 50;

const COLUMNS = 'id, at, type, outcome, user_id, client_id, ip, user_agent, request_id, details';
// Microsecond precision, so that a cursor never falls between two rows of the same millisecond.
const CURSOR_AT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

interface AuditEventRow {
  id: string;
  at: Date | string;
  type: string;
  outcome: 'success' | 'failure';
  user_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | string | null;
  cursor_at: string;
}

@Injectable()
export class AuditEventsRepository {
  private readonly cursors: AuditCursorCodec;

  constructor(
    @InjectRepository(AuditEvent) private readonly repo: Repository<AuditEvent>,
    config: AppConfig,
  ) {
    this.cursors = new AuditCursorCodec(config.appSecret);
  }

  /** Writes every row in one multi-row INSERT. */
  async insertMany(rows: readonly NewAuditEvent[]): Promise<void> {
    if (rows.length === 0) return;
    // One statement with one array parameter per column, whatever the batch size: the same text
    // every time (prepared once by the server), and no per-row query building (docs/performance.md).
    await this.repo.query(
      `INSERT INTO audit_events (at, type, outcome, user_id, client_id, ip, user_agent, request_id, details)
       SELECT * FROM unnest($1::timestamptz[], $2::varchar[], $3::varchar[], $4::uuid[], $5::text[],
                            $6::varchar[], $7::varchar[], $8::varchar[], $9::jsonb[])`,
      [
        rows.map((r) => r.at),
        rows.map((r) => r.type),
        rows.map((r) => r.outcome),
        rows.map((r) => r.userId ?? null),
        rows.map((r) => r.clientId ?? null),
        rows.map((r) => r.ip ?? null),
        rows.map((r) => r.userAgent ?? null),
        rows.map((r) => r.requestId ?? null),
        rows.map((r) => r.detailsJson),
      ],
    );
  }

  /**
   * One page of events, newest first, by keyset pagination on (at DESC, id DESC).
   * @throws InvalidAuditCursorError when `cursor` is malformed or was not issued by this server.
   */
  async query(filters: AuditQueryFilters = {}): Promise<AuditPage> {
    const limit = clampLimit(filters.limit);
    // user_id is a uuid column: anything else matches no row (and must not reach the cast).
    if (filters.userId !== undefined && !isUuid(filters.userId))
      return { items: [], nextCursor: null };
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (filters.type !== undefined) where.push(`type = ${param(filters.type)}`);
    if (filters.userId !== undefined) where.push(`user_id = ${param(filters.userId)}::uuid`);
    if (filters.clientId !== undefined) where.push(`client_id = ${param(filters.clientId)}`);
    if (filters.from) where.push(`at >= ${param(filters.from.toISOString())}::timestamptz`);
    if (filters.to) where.push(`at < ${param(filters.to.toISOString())}::timestamptz`);
    if (filters.cursor !== undefined) {
      const after = this.cursors.decode(filters.cursor);
      where.push(`(at, id) < (${param(after.at)}::timestamptz, ${param(after.id)}::uuid)`);
    }
    const sql =
      `SELECT ${COLUMNS}, ${CURSOR_AT} FROM audit_events` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY at DESC, id DESC LIMIT ${param(limit + 1)}`;
    const rows = (await this.repo.query(sql, params)) as AuditEventRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? this.cursors.encode({ at: last.cursor_at, id: last.id }) : null;
    return { items: page.map(toEntity), nextCursor };
  }

  /** Deletes events older than `before`, `batchSize` rows per statement; returns how many went. */
  async deleteOlderThan(before: Date, batchSize = 1000): Promise<number> {
    const limit = Math.max(1, Math.floor(batchSize));
    let total = 0;
    for (;;) {
      // Bounded batches keep each statement's locks and WAL small on a large table.
      const result = await this.repo
        .createQueryBuilder()
        .delete()
        .from(AuditEvent)
        .where('id IN (SELECT id FROM audit_events WHERE at < :before ORDER BY at LIMIT :limit)', {
          before: before.toISOString(),
          limit,
        })
        .execute();
      const affected = result.affected ?? 0;
      total += affected;
      if (affected < limit) return total;
    }
  }

  /**
   * Maintenance's purge (docs/architecture.md §3): deletes at most `limit` events older than
   * `before` (the retention); null when another instance is purging them right now.
   */
  purgeBefore(before: Date, limit: number): Promise<number | null> {
    return purgeBatch(this.repo.manager, AUDIT_PURGE, limit, [before.toISOString()]);
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return AUDIT_QUERY_DEFAULT_LIMIT;
  return Math.min(AUDIT_QUERY_MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

function toEntity(row: AuditEventRow): AuditEvent {
  const event = new AuditEvent();
  event.id = row.id;
  event.at = row.at instanceof Date ? row.at : new Date(row.at);
  event.type = row.type;
  event.outcome = row.outcome;
  event.userId = row.user_id;
  event.clientId = row.client_id;
  event.ip = row.ip;
  event.userAgent = row.user_agent;
  event.requestId = row.request_id;
  event.details = typeof row.details === 'string' ? JSON.parse(row.details) : (row.details ?? {});
  return event;
}
