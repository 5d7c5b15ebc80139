import { ClientDeletion } from 'src/clients/client-deletion.service';
import { ClientsRepository } from 'src/clients/clients.repository';
import { GrantsService } from 'src/authorization/grants.service';
import { Clock } from 'src/common/clock';
import { AccessTokensRepository } from './access-tokens.repository';
import { ClientTokenRevocationService } from './client-token-revocation.service';
import { RevocationChecker } from './keys/revocation-checker';
import { RevocationBroadcaster } from './revocation/revocation-broadcaster';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-01-01T00:00:00Z');
  }
}

describe(ClientTokenRevocationService.name, () => {
  it('should revoke the grants and the stand-alone access tokens, here and on every instance', async () => {
    const grants = { revokeForClient: jest.fn().mockResolvedValue(2) };
    const expiresAt = new Date('2026-01-01T01:00:00Z');
    const accessTokens = {
      revokeAllForClient: jest.fn().mockResolvedValue([
        { jti: 'j1', expiresAt },
        { jti: 'j2', expiresAt },
      ]),
    };
    const checker = { markRevoked: jest.fn() };
    const broadcaster = { tokenRevoked: jest.fn().mockResolvedValue(undefined) };
    const sut = new ClientTokenRevocationService(
      grants as unknown as GrantsService,
      accessTokens as unknown as AccessTokensRepository,
      checker as unknown as RevocationChecker,
      broadcaster as unknown as RevocationBroadcaster,
      new FixedClock(),
      new ClientDeletion({} as ClientsRepository),
    );

    expect(await sut.revokeAllForClient('c1', 'client_disabled')).toEqual({
      grants: 2,
      accessTokens: 2,
    });
    expect(grants.revokeForClient).toHaveBeenCalledWith('c1', 'client_disabled');
    expect(accessTokens.revokeAllForClient).toHaveBeenCalledWith(
      'c1',
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(checker.markRevoked.mock.calls).toEqual([
      ['j1', expiresAt.getTime() / 1000],
      ['j2', expiresAt.getTime() / 1000],
    ]);
    expect(broadcaster.tokenRevoked.mock.calls).toEqual([['j1'], ['j2']]);
  });
});
