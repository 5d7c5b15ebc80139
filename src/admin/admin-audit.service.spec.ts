import { InvalidAuditCursorError } from 'src/audit/audit-cursor';
import { AuditEvent } from 'src/audit/audit-event.entity';
import { AuditService } from 'src/audit/audit.service';
import { OAuthError } from 'src/oauth/errors/oauth.error';
import { AdminAuditService } from './admin-audit.service';

describe(AdminAuditService.name, () => {
  let audit: { query: jest.Mock };
  let sut: AdminAuditService;

  beforeEach(() => {
    audit = { query: jest.fn() };
    sut = new AdminAuditService(audit as unknown as AuditService);
  });

  it('should pass the filters on and map events to the wire names', async () => {
    const event = Object.assign(new AuditEvent(), {
      id: 'e1',
      at: new Date('2026-01-01T00:00:00Z'),
      type: 'token.issued',
      outcome: 'success',
      userId: null,
      clientId: 'c1',
      ip: '127.0.0.1',
      userAgent: 'ua',
      requestId: 'r1',
      details: { a: 1 },
    });
    audit.query.mockResolvedValue({ items: [event], nextCursor: 'next' });
    const res = await sut.query({
      type: 'token.issued',
      client_id: 'c1',
      from: '2025-01-01T00:00:00Z',
      limit: 10,
      cursor: 'c',
    });
    expect(audit.query).toHaveBeenCalledWith({
      type: 'token.issued',
      userId: undefined,
      clientId: 'c1',
      from: new Date('2025-01-01T00:00:00Z'),
      to: undefined,
      limit: 10,
      cursor: 'c',
    });
    expect(res).toEqual({
      items: [
        {
          id: 'e1',
          at: '2026-01-01T00:00:00.000Z',
          type: 'token.issued',
          outcome: 'success',
          user_id: null,
          client_id: 'c1',
          ip: '127.0.0.1',
          user_agent: 'ua',
          request_id: 'r1',
          details: { a: 1 },
        },
      ],
      next_cursor: 'next',
    });
  });

  it('should answer invalid_request for a bad cursor', async () => {
    audit.query.mockRejectedValue(new InvalidAuditCursorError());
    await expect(sut.query({ cursor: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
      description: 'invalid cursor',
      status: 400,
    });
  });

  it('should answer invalid_request when from is not before to', async () => {
    const err = await sut
      .query({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ description: 'from must be before to' });
    expect(audit.query).not.toHaveBeenCalled();
  });
});
