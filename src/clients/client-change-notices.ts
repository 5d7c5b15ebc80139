import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  CLIENT_WILDCARD,
  RevocationBroadcaster,
} from 'src/token-store/revocation/revocation-broadcaster';
import { ClientCache } from './client-cache';

/**
 * Keeps every instance's ClientCache true to oauth_clients: ClientsRepository reports each write
 * here (admin API, DCR, RFC 7592, CIMD, CLI, seed, maintenance), which drops the local copy and
 * tells the other instances over the revocation broadcast (LISTEN/NOTIFY or Redis pub/sub; PGlite
 * is one process). A notice from another instance drops the copy here.
 */
@Injectable()
export class ClientChangeNotices implements OnModuleInit {
  constructor(
    private readonly cache: ClientCache,
    private readonly broadcaster: RevocationBroadcaster,
  ) {}

  onModuleInit(): void {
    this.broadcaster.onClientChanged((clientId) =>
      clientId === CLIENT_WILDCARD ? this.cache.forgetAll() : this.cache.forget(clientId),
    );
  }

  /** After the write: this instance forgets at once, the others when the notice arrives. */
  async changed(clientIds: string | string[]): Promise<void> {
    const ids = typeof clientIds === 'string' ? [clientIds] : clientIds;
    for (const id of ids) this.cache.forget(id);
    await Promise.all(ids.map((id) => this.broadcaster.clientChanged(id)));
  }
}
