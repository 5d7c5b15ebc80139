import { OAuthError } from 'src/oauth/errors/oauth.error';
import { refreshScope } from './refresh-scope';

const client = (scope: string[], grantTypes = ['authorization_code', 'refresh_token']) => ({
  scope,
  grantTypes,
});
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof OAuthError ? err.code : 'not an OAuthError';
  }
};

describe(refreshScope.name, () => {
  it('should keep the whole grant while user and client still hold it', () => {
    expect(
      refreshScope(['read', 'write'], [], {
        client: client(['read', 'write']),
        userScopes: ['read', 'write'],
      }),
    ).toEqual({
      family: ['read', 'write'],
      scope: ['read', 'write'],
    });
  });

  it('should drop what the user or the client no longer holds', () => {
    expect(
      refreshScope(['read', 'write'], [], {
        client: client(['read', 'write']),
        userScopes: ['read'],
      }).family,
    ).toEqual(['read']);
    expect(
      refreshScope(['read', 'write'], [], {
        client: client(['write']),
        userScopes: ['read', 'write'],
      }).family,
    ).toEqual(['write']);
  });

  it('should keep identity scopes the client has without the user holding them, and offline_access while the client refreshes', () => {
    const held = refreshScope(['openid', 'offline_access', 'read'], [], {
      client: client(['openid', 'read']),
      userScopes: ['read'],
    });
    expect(held.family).toEqual(['openid', 'offline_access', 'read']);
    const noRefresh = refreshScope(['openid', 'offline_access'], [], {
      client: client(['openid'], ['authorization_code']),
      userScopes: [],
    });
    expect(noRefresh.family).toEqual(['openid']);
  });

  it('should narrow an explicit request within what is held, and refuse beyond it', () => {
    const holders = { client: client(['read', 'write']), userScopes: ['read'] };
    expect(refreshScope(['read', 'write'], ['read'], holders)).toEqual({
      family: ['read'],
      scope: ['read'],
    });
    expect(codeOf(() => refreshScope(['read', 'write'], ['write'], holders))).toBe('invalid_scope');
    expect(codeOf(() => refreshScope(['read'], ['admin'], holders))).toBe('invalid_scope');
  });

  it('should refuse the refresh when nothing of the grant is held any more', () => {
    expect(
      codeOf(() =>
        refreshScope(['write'], [], { client: client(['read', 'write']), userScopes: ['read'] }),
      ),
    ).toBe('invalid_grant');
  });

  it('should apply only the client for a family without a user', () => {
    expect(
      refreshScope(['read', 'write'], [], { client: client(['read']), userScopes: null }).family,
    ).toEqual(['read']);
  });
});
