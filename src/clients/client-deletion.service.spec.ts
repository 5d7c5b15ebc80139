import { ClientDeletion } from './client-deletion.service';
import { ClientsRepository } from './clients.repository';
import { OAuthClient } from './oauth-client.entity';

describe(ClientDeletion.name, () => {
  const order: string[] = [];
  const rows = new Map<string, Partial<OAuthClient>>();
  const repo = {
    findByClientId: jest.fn(async (id: string) => (rows.get(id) as OAuthClient) ?? null),
    delete: jest.fn(async (id: string) => (order.push(`delete ${id}`), rows.delete(id))),
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
});
