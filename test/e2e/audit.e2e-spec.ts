import { randomUUID } from 'node:crypto';
import { AuditCursorCodec, InvalidAuditCursorError } from 'src/audit/audit-cursor';
import { AuditEventsRepository } from 'src/audit/audit-events.repository';
import { AuditService } from 'src/audit/audit.service';
import { createTestApp, TestApp } from './create-test-app';

describe('Audit trail (e2e)', () => {
  let t: TestApp;
  let sut: AuditService;

  beforeAll(async () => {
    t = await createTestApp();
    sut = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  it('should store recorded events and page through them by cursor with no gaps or duplicates', async () => {
    const clientId = `client-${randomUUID()}`;
    const userId = randomUUID();
    for (let i = 0; i < 7; i++) {
      sut.record({
        type: 'token.issued',
        outcome: 'success',
        clientId,
        userId,
        details: { i, refresh_token: 'x' },
      });
    }
    sut.record({ type: 'token.revoked', outcome: 'failure', clientId, userId });
    await sut.flush();

    const seen: string[] = [];
    const first = await sut.query({ type: 'token.issued', clientId, limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await sut.query({
      type: 'token.issued',
      clientId,
      limit: 4,
      cursor: first.nextCursor!,
    });
    expect(second.items).toHaveLength(3);
    expect(second.nextCursor).toBeNull();
    for (const item of [...first.items, ...second.items]) seen.push(item.id);

    const all = await sut.query({ type: 'token.issued', clientId, limit: 200 });
    expect(seen).toEqual(all.items.map((e) => e.id));
    expect(new Set(seen).size).toBe(7);
    expect(all.items.map((e) => e.details.i).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(all.items[0]).toMatchObject({
      type: 'token.issued',
      outcome: 'success',
      clientId,
      userId,
    });
    expect(all.items.every((e) => e.details.refresh_token === '[REDACTED]')).toBe(true);
    // Newest first, ties broken by id.
    const keys = all.items.map((e) => [e.at.getTime(), e.id] as const);
    const sorted = [...keys].sort(
      (a, b) => b[0] - a[0] || (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0),
    );
    expect(keys).toEqual(sorted);
  });

  it('should filter by user, type and time range', async () => {
    const userId = randomUUID();
    sut.record({ type: 'login.succeeded', outcome: 'success', userId });
    sut.record({ type: 'login.failed', outcome: 'failure', userId });
    await sut.flush();

    expect((await sut.query({ userId })).items.map((e) => e.type).sort()).toEqual([
      'login.failed',
      'login.succeeded',
    ]);
    expect((await sut.query({ userId, type: 'login.failed' })).items).toHaveLength(1);
    expect((await sut.query({ userId, from: new Date(Date.now() + 60_000) })).items).toHaveLength(
      0,
    );
    expect((await sut.query({ userId, to: new Date(Date.now() - 60_000) })).items).toHaveLength(0);
    expect(
      (
        await sut.query({
          userId,
          from: new Date(Date.now() - 60_000),
          to: new Date(Date.now() + 60_000),
        })
      ).items,
    ).toHaveLength(2);
    expect((await sut.query({ userId: 'not-a-uuid' })).items).toHaveLength(0);
  });

  it('should reject a forged or tampered cursor with a typed error', async () => {
    const forged = new AuditCursorCodec('some-other-secret-0123456789-0123456789').encode({
      at: '2099-01-01T00:00:00.000000Z',
      id: randomUUID(),
    });
    await expect(sut.query({ cursor: forged })).rejects.toBeInstanceOf(InvalidAuditCursorError);
    await expect(sut.query({ cursor: "x' OR 1=1 --" })).rejects.toBeInstanceOf(
      InvalidAuditCursorError,
    );
  });

  it('should delete old events in bounded batches', async () => {
    const repository = t.app.get(AuditEventsRepository);
    const clientId = `purge-${randomUUID()}`;
    const old = new Date('2020-01-01T00:00:00Z');
    await repository.insertMany(
      Array.from({ length: 5 }, () => ({
        at: old,
        type: 'token.issued',
        outcome: 'success' as const,
        userId: null,
        clientId,
        ip: null,
        userAgent: null,
        requestId: null,
        detailsJson: '{}',
      })),
    );
    // And one recent event of its own, which must survive (no other test's events are relied on).
    const keptClient = `kept-${randomUUID()}`;
    await repository.insertMany([
      { at: new Date(), type: 'token.issued', outcome: 'success' as const, userId: null, clientId: keptClient, ip: null, userAgent: null, requestId: null, detailsJson: '{}' },
    ]);
    expect((await sut.query({ clientId })).items).toHaveLength(5);
    expect(await repository.deleteOlderThan(new Date('2021-01-01T00:00:00Z'), 2)).toBe(5);
    expect((await sut.query({ clientId })).items).toHaveLength(0);
    expect((await sut.query({ clientId: keptClient })).items).toHaveLength(1);
  });

  it('should write a just-recorded event when the application shuts down', async () => {
    const clientId = `shutdown-${randomUUID()}`;
    sut.record({ type: 'client.deleted', outcome: 'success', clientId });
    expect(sut.stats().queued).toBe(1);
    await sut.beforeApplicationShutdown();
    const rows = await t.dataSource.query('SELECT type FROM audit_events WHERE client_id = $1', [
      clientId,
    ]);
    expect(rows).toEqual([{ type: 'client.deleted' }]);
  });
});
