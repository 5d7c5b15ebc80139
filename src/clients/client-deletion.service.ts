import { Injectable } from '@nestjs/common';
import { ClientsRepository } from './clients.repository';
import { ClientSource } from './oauth-client.entity';

/** Runs before a client's row is deleted; throwing stops the deletion. */
export type BeforeClientDelete = (clientId: string) => Promise<unknown>;

/**
 * The one way a client is deleted (issue 12 item 8): the administrator's DELETE /admin/clients/:id
 * and the client's own RFC 7592 DELETE both come here, and so does maintenance's expiry of unused
 * dynamically registered clients. Before the row goes (ON DELETE CASCADE
 * takes its codes, grants, tokens and consents), every registered hook runs: the tokens module
 * registers the revocation of everything the client holds, which also tells the other instances'
 * revocation caches — a bare DELETE would leave its access tokens alive there until their cache
 * expires. Hooks invert the dependency: clients sits below tokens and cannot import it.
 */
@Injectable()
export class ClientDeletion {
  private readonly hooks: BeforeClientDelete[] = [];

  constructor(private readonly clients: ClientsRepository) {}

  /** Called once at start-up by the module that revokes a client's tokens. */
  beforeDelete(hook: BeforeClientDelete): void {
    this.hooks.push(hook);
  }

  /** Deletes the client (only one of `source`, when given); false when there is none. */
  async delete(clientId: string, source?: ClientSource): Promise<boolean> {
    const client = await this.clients.findByClientId(clientId);
    if (!client || (source !== undefined && client.source !== source)) return false;
    await this.runHooks(clientId);
    return this.clients.delete(clientId, source);
  }

  /**
   * Maintenance's expiry of dynamically registered clients unused before `cutoff` (RFC 7591 open
   * registration would otherwise grow oauth_clients without bound): at most `limit` candidates,
   * each deleted as `delete` does, hooks first. Returns the ids deleted, or null when another
   * instance is expiring clients right now. "Unused" is checked again by the DELETE itself (one
   * statement), so a client that authenticates between the pick and its delete is kept; the
   * price of that rare race is that the tokens it held were revoked by the hook.
   */
  async deleteUnusedDcr(cutoff: Date, limit: number): Promise<string[] | null> {
    const candidates = await this.clients.findUnusedDcr(cutoff, limit);
    if (candidates === null) return null;
    const deleted: string[] = [];
    for (const clientId of candidates) {
      await this.runHooks(clientId);
      if (await this.clients.deleteIfUnusedDcr(clientId, cutoff)) deleted.push(clientId);
    }
    return deleted;
  }

  private async runHooks(clientId: string): Promise<void> {
    // Fail closed: without the revocation hook a delete would skip the broadcast.
    if (this.hooks.length === 0) throw new Error('client deletion has no revocation hook');
    for (const hook of this.hooks) await hook(clientId);
  }
}
