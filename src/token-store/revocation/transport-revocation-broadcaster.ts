import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { errorSummary } from 'src/common/error-summary';
import { RevocationChecker } from 'src/token-store/revocation-checker';
import { CLIENT_WILDCARD, RevocationBroadcaster } from './revocation-broadcaster';
import { encodeNotice, MAX_FIELD_LENGTH, parseNotice, RevocationNotice } from './revocation-notice';
import { RevocationTransport, withTimeout } from './revocation-transport';

/** A revocation request waits at most this long for its notice to go out. */
export const PUBLISH_TIMEOUT_MS = 2_000;
/** More jti notices than this in one turn of the event loop go out as one invalidate-all notice. */
export const MAX_SEPARATE_NOTICES = 10;

type Pending = Omit<RevocationNotice, 'origin'>;

/**
 * Revocation notices over a shared channel (LISTEN/NOTIFY or Redis pub/sub). Sends after the
 * caller's database write; on a notice from another instance, marks the jti revoked or, for a
 * grant, drops every cached "not revoked" answer (the checker then asks the database again).
 *
 * Notices raised in one turn of the event loop go out together, after every caller's write: a
 * bulk revocation (a disabled client's thousands of grants and tokens) sends one invalidate-all
 * notice instead of thousands, each of which would make every instance sweep its whole cache.
 */
export class TransportRevocationBroadcaster
  extends RevocationBroadcaster
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(RevocationBroadcaster.name);
  /** Tells this instance's notices from the others'. */
  readonly instanceId = randomUUID();
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly transport: RevocationTransport,
    private readonly checker: RevocationChecker,
    /** Told how long each notice took to arrive (the revocation broadcast lag metric). */
    private readonly onLag?: (seconds: number, source: 'self' | 'peer') => void,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.transport.start({
      onMessage: (payload) => this.receive(payload),
      onSubscribed: () => {
        this.checker.invalidateAll();
        this.emitClientChanged(CLIENT_WILDCARD);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }

  grantRevoked(grantId: string): Promise<void> {
    return this.enqueue({ kind: 'grant', id: grantId });
  }

  tokenRevoked(jti: string): Promise<void> {
    return this.enqueue({ kind: 'jti', id: jti });
  }

  clientChanged(clientId: string): Promise<void> {
    const id = clientId.length <= MAX_FIELD_LENGTH ? clientId : CLIENT_WILDCARD;
    return this.enqueue({ kind: 'client', id });
  }

  /** Applies a notice from another instance; ignores our own and anything malformed. */
  receive(payload: string): void {
    const notice = parseNotice(payload);
    if (!notice) {
      this.logger.warn({ msg: 'ignored a malformed revocation notice' });
      return;
    }
    const own = notice.origin === this.instanceId;
    if (notice.sentAt !== undefined && this.onLag) this.onLag((Date.now() - notice.sentAt) / 1000, own ? 'self' : 'peer');
    if (own) return;
    if (notice.kind === 'client') this.emitClientChanged(notice.id);
    else if (notice.kind === 'jti') this.checker.markRevoked(notice.id);
    else this.checker.invalidateAll();
  }

  /** Joins the batch of this turn; resolves once that batch was sent (or failed, logged). */
  private enqueue(notice: Pending): Promise<void> {
    this.pending.push(notice);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.flush(),
    );
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const all = this.pending;
    this.pending = [];
    this.flushing = null;
    const clients = [...new Set(all.filter((n) => n.kind === 'client').map((n) => n.id))];
    const batch = all.filter((n) => n.kind !== 'client');
    const clientNotices: Pending[] =
      clients.length > MAX_SEPARATE_NOTICES || clients.includes(CLIENT_WILDCARD)
        ? [{ kind: 'client', id: CLIENT_WILDCARD }]
        : clients.map((id) => ({ kind: 'client', id }));
    if (batch.length === 0) {
      await Promise.all(clientNotices.map((n) => this.send({ ...n, origin: this.instanceId })));
      return;
    }
    // Any grant notice, or many jti notices, make the receivers re-read everything: one suffices.
    const collapse = batch.length > MAX_SEPARATE_NOTICES || batch.some((n) => n.kind === 'grant');
    const notices: Pending[] = collapse
      ? [batch.find((n) => n.kind === 'grant') ?? { kind: 'grant', id: batch[0].id }]
      : batch;
    await Promise.all(
      [...notices, ...clientNotices].map((n) =>
        this.send({ ...n, origin: this.instanceId, sentAt: Date.now() }),
      ),
    );
  }

  private async send(notice: RevocationNotice): Promise<void> {
    try {
      await withTimeout(
        this.transport.publish(encodeNotice(notice)),
        PUBLISH_TIMEOUT_MS,
        'revocation notice',
      );
    } catch (err) {
      // The revocation itself is stored; other instances see it when their cache lapses (≤ 5 s).
      this.logger.warn({
        msg: 'revocation notice not sent to other instances',
        kind: notice.kind,
        error: errorSummary(err),
      });
    }
  }
}
