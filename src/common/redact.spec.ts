import { REDACTED, redact, redactString } from './redact';

describe(redact.name, () => {
  it('should replace secret fields at any depth', () => {
    const out = redact({ client_id: 'c1', client_secret: 's3cret', nested: { password: 'pw', code: 'abc' } });
    expect(out).toEqual({ client_id: 'c1', client_secret: REDACTED, nested: { password: REDACTED, code: REDACTED } });
  });

  it('should mask secret-looking values inside free text', () => {
    const text = redactString(
      'got mcprt_abcdefghijklmnop and eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig and Bearer abc.def ' +
        'from /cb?code=xyz123&state=ok and postgres://u:hunter2@db/x',
    );
    expect(text).not.toMatch(/mcprt_abc|eyJzdWIi|abc\.def|xyz123|hunter2/);
    expect(text).toContain('state=ok');
    expect(text).toContain('Bearer [REDACTED]');
  });
});
