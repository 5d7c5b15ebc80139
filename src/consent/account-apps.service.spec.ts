import { GrantsService } from 'src/authorization/grants.service';
import { ClientsService } from 'src/clients/clients.service';
import { PageError } from 'src/oauth/errors/oauth-errors';
import { Session, SessionService, SignedInUser } from 'src/session/session.service';
import { User } from 'src/users/user.entity';
import { AccountAppsService } from './account-apps.service';
import { Consent } from './consent.entity';
import { ConsentService } from './consent.service';

const USER_ID = '6f1c1c1e-8f5e-4c1a-9a55-1d2f3a4b5c6d';
const SESSION: Session = {
  sid: 's',
  userId: USER_ID,
  authTime: 0,
  exp: 9e9,
  csrf: 'the-csrf-secret-value',
};

describe(AccountAppsService.name, () => {
  let signedIn: SignedInUser | null;
  let ended: number;
  let endedAll: string[];
  let consents: { listActive: jest.Mock; revoke: jest.Mock };
  let grants: { lastUsedByClient: jest.Mock; revokeForUserAndClient: jest.Mock };
  let sut: AccountAppsService;

  beforeEach(() => {
    const user = Object.assign(new User(), { id: USER_ID, username: 'alice', disabled: false });
    signedIn = { user, session: SESSION };
    ended = 0;
    endedAll = [];
    const sessions = {
      end: async () => (ended++, [{ clear: 'session' }]),
      endAll: async (id: string) => (endedAll.push(id), 2),
      verifySessionCsrf: (s: Session, submitted: unknown) => submitted === s.csrf,
    } as unknown as SessionService;
    consents = {
      listActive: jest
        .fn()
        .mockResolvedValue([
          Object.assign(new Consent(), {
            clientId: 'c1',
            scope: ['read', 'custom'],
            grantedAt: new Date('2026-01-02T03:04:05Z'),
          }),
          Object.assign(new Consent(), {
            clientId: 'gone',
            scope: ['write'],
            grantedAt: new Date('2026-01-01T00:00:00Z'),
          }),
        ]),
      revoke: jest.fn().mockResolvedValue(true),
    };
    grants = {
      lastUsedByClient: jest
        .fn()
        .mockResolvedValue(new Map([['c1', new Date('2026-02-01T10:20:00Z')]])),
      revokeForUserAndClient: jest.fn().mockResolvedValue(1),
    };
    const clients = {
      findByClientId: async (id: string) =>
        id === 'c1' ? { clientId: 'c1', clientName: '<b>Evil & Co</b>', disabled: false } : null,
    } as unknown as ClientsService;
    sut = new AccountAppsService(
      sessions,
      consents as unknown as ConsentService,
      grants as unknown as GrantsService,
      clients,
    );
  });

  describe('show', () => {
    it('should send a person who is not signed in to the login page, then back', async () => {
      signedIn = null;
      expect(await sut.show(signedIn)).toEqual({
        kind: 'redirect',
        url: '/login?return_to=%2Faccount%2Fapps',
      });
    });

    it('should list each app with escaped name, scope descriptions, dates and a CSRF-protected Revoke form', async () => {
      const outcome = await sut.show(signedIn);
      if (outcome.kind !== 'page') throw new Error('expected a page');
      const html = outcome.html;
      expect(html).toContain('&lt;b&gt;Evil &amp; Co&lt;/b&gt;');
      expect(html).not.toContain('<b>Evil');
      expect(html).toContain('Read your data through the MCP tools');
      expect(html).toContain('<code>custom</code>');
      expect(html).toContain('2026-01-02 03:04 UTC');
      expect(html).toContain('2026-02-01 10:20 UTC');
      expect(html).toContain('Last used never');
      expect(html).toContain('Unknown application');
      expect(html).toContain('<form method="post" action="/account/apps/revoke">');
      expect(html).toContain(
        '<input type="hidden" name="csrf_token" value="the-csrf-secret-value">',
      );
      expect(html).toContain('<input type="hidden" name="client_id" value="c1">');
      expect(html).toContain('<form method="post" action="/logout">');
    });

    it('should say so when no application has access', async () => {
      consents.listActive.mockResolvedValue([]);
      const outcome = await sut.show(signedIn);
      expect(outcome.kind === 'page' && outcome.html).toContain(
        'No applications have access to your account.',
      );
    });
  });

  describe('revoke', () => {
    it('should withdraw the consent and revoke the grants of that app, then go back to the list', async () => {
      const outcome = await sut.revoke({ client_id: 'c1', csrf_token: SESSION.csrf }, signedIn);
      expect(outcome).toMatchObject({ kind: 'redirect', url: '/account/apps' });
      expect(consents.revoke).toHaveBeenCalledWith(USER_ID, 'c1');
      expect(grants.revokeForUserAndClient).toHaveBeenCalledWith(USER_ID, 'c1', 'consent_revoked');
      expect(outcome.audit).toMatchObject({
        userId: USER_ID,
        clientId: 'c1',
        details: { consent_revoked: true, grants_revoked: 1 },
      });
    });

    it.each([undefined, '', 'wrong', ['the-csrf-secret-value']])(
      'should refuse CSRF token %j with a 403 page and change nothing',
      async (csrf) => {
        const err = await sut
          .revoke({ client_id: 'c1', csrf_token: csrf }, signedIn)
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PageError);
        expect(err).toMatchObject({ status: 403, code: 'access_denied' });
        expect(consents.revoke).not.toHaveBeenCalled();
        expect(grants.revokeForUserAndClient).not.toHaveBeenCalled();
      },
    );

    it('should require a client_id', async () => {
      await expect(sut.revoke({ csrf_token: SESSION.csrf }, signedIn)).rejects.toMatchObject({
        code: 'invalid_request',
      });
    });

    it('should send a person who is not signed in to log in, revoking nothing', async () => {
      const outcome = await sut.revoke({ client_id: 'c1', csrf_token: 'x' }, null);
      expect(outcome.kind).toBe('redirect');
      expect(consents.revoke).not.toHaveBeenCalled();
      expect(outcome.audit?.outcome).toBe('failure');
    });
  });

  describe('logout', () => {
    it('should end the session server-side, clear the cookie and go to the login page', async () => {
      expect(await sut.logout({ csrf_token: SESSION.csrf }, signedIn)).toEqual({
        kind: 'redirect',
        url: '/login',
        cookies: [{ clear: 'session' }],
      });
      expect(ended).toBe(1);
    });

    it('should refuse a wrong CSRF token', async () => {
      await expect(sut.logout({ csrf_token: 'nope' }, signedIn)).rejects.toBeInstanceOf(PageError);
      expect(ended).toBe(0);
    });
  });

  describe('sign out everywhere', () => {
    it('should end every session of the person, with the CSRF token only', async () => {
      await expect(sut.signOutEverywhere({ csrf_token: 'nope' }, signedIn)).rejects.toBeInstanceOf(
        PageError,
      );
      expect(endedAll).toEqual([]);
      const outcome = await sut.signOutEverywhere({ csrf_token: SESSION.csrf }, signedIn);
      expect(outcome).toMatchObject({
        kind: 'redirect',
        url: '/login',
        cookies: [{ clear: 'session' }],
        audit: { userId: USER_ID, details: { sessions_ended: 2 } },
      });
      expect(endedAll).toEqual([USER_ID]);
    });
  });
});
