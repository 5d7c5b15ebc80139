import { ClientDeletion } from './client-deletion.service';
import { ClientsRepository } from './clients.repository';
import { OAuthClient } from './oauth-client.entity';

describe(ClientDeletion.name, () => {
  const order: string[] = [];
  const rows = new Map<string, Partial<OAuthClient>>();
  const repo = {
    findByClientId: jest.fn(async (id: string) => (rows.get(id) as OAuthClient) ?? null),
    delete: jest.fn(async (id: string) => (order.push(`delete ${id}`), rows.delete(id))),
    /** Unused clients: those with `lastUsedAt` unset; null stands for another instance's lock. */
    findUnusedDcr: jest.fn(async (_cutoff: Date, limit: number): Promise<string[] | null> =>
      [...rows.values()]
        .filter((c) => c.source === 'dcr' && !c.lastUsedAt)
        .map((c) => c.clientId!)
        .slice(0, limit),
    ),
    deleteIfUnusedDcr: jest.fn(async (id: string) => {
      const row = rows.get(id);
      if (!row || row.source !== 'dcr' || row.lastUsedAt) return false;
      order.push(`delete ${id}`);
      return rows.delete(id);
    }),
  };
  let sut: ClientDeletion;

  beforeEach(() => {
    order.length = 0;
    rows.clear();
    rows.set('a1', { clientId: 'a1', source: 'admin' });
    rows.set('d1', { clientId: 'd1', source: 'dcr' });
    sut = new ClientDeletion(repo as unknown as ClientsRepository);
    sut.beforeDelete(async (id) => order.push(`revoke ${id}`));
  });

  it('should run the revocation hook before the row goes', async () => {
    expect(await sut.delete('d1', 'dcr')).toBe(true);
    expect(order).toEqual(['revoke d1', 'delete d1']);
  });

  it('should touch nothing for an unknown client or one of another source', async () => {
    expect(await sut.delete('nope')).toBe(false);
    expect(await sut.delete('a1', 'dcr')).toBe(false);
    expect(order).toEqual([]);
  });

  it('should keep the client when the hook fails', async () => {
    const failing = new ClientDeletion(repo as unknown as ClientsRepository);
    failing.beforeDelete(async () => {
      throw new Error('database down');
    });
    await expect(failing.delete('a1')).rejects.toThrow('database down');
    expect(rows.has('a1')).toBe(true);
  });

  it('should refuse to delete without a revocation hook (fail closed)', async () => {
    const bare = new ClientDeletion(repo as unknown as ClientsRepository);
    await expect(bare.delete('a1')).rejects.toThrow(/no revocation hook/);
    expect(rows.has('a1')).toBe(true);
  });

  describe('deleteUnusedDcr', () => {
    const cutoff = new Date('2026-01-01T00:00:00Z');

    it('should delete each unused client through the hook, hook first', async () => {
      rows.set('d2', { clientId: 'd2', source: 'dcr' });
      expect(await sut.deleteUnusedDcr(cutoff, 10)).toEqual(['d1', 'd2']);
      expect(order).toEqual(['revoke d1', 'delete d1', 'revoke d2', 'delete d2']);
      expect(rows.has('a1')).toBe(true);
      expect(repo.deleteIfUnusedDcr).toHaveBeenCalledWith('d1', cutoff);
    });

    it('should keep a client used between the pick and its delete', async () => {
      rows.set('d2', { clientId: 'd2', source: 'dcr' });
      const sut2 = new ClientDeletion(repo as unknown as ClientsRepository);
      // The client authenticates while the hook runs: the conditional delete sees it.
      sut2.beforeDelete(async (id) => {
        order.push(`revoke ${id}`);
        if (id === 'd1') rows.get('d1')!.lastUsedAt = new Date();
      });
      expect(await sut2.deleteUnusedDcr(cutoff, 10)).toEqual(['d2']);
      expect(rows.has('d1')).toBe(true);
    });

    it('should do nothing while another instance holds the lock', async () => {
      repo.findUnusedDcr.mockResolvedValueOnce(null);
      expect(await sut.deleteUnusedDcr(cutoff, 10)).toBeNull();
      expect(order).toEqual([]);
    });

    it('should refuse to delete without a revocation hook (fail closed)', async () => {
      const bare = new ClientDeletion(repo as unknown as ClientsRepository);
      await expect(bare.deleteUnusedDcr(cutoff, 10)).rejects.toThrow(/no revocation hook/);
      expect(rows.has('d1')).toBe(true);
    });
  });
});
