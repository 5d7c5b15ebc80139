import {
  allNative,
  classifyRedirectUri,
  isNameableCustomScheme,
  RedirectUriKind,
  RedirectUriRejected,
  RedirectUriRules,
} from './redirect-uri-rules';

const open: RedirectUriRules = { allowCustomSchemes: true, namedCustomSchemes: ['cursor'] };
const reason = (uri: string, policy = open): string => {
  try {
    classifyRedirectUri(uri, policy);
  } catch (err) {
    if (err instanceof RedirectUriRejected) return err.reason;
    throw err;
  }
  throw new Error(`expected ${uri} to be rejected`);
};

describe(classifyRedirectUri.name, () => {
  it.each<[string, RedirectUriKind]>([
    ['https://claude.ai/api/mcp/auth_callback', 'https'],
    ['https://claude.com/api/mcp/auth_callback', 'https'],
    ['https://vscode.dev/redirect', 'https'],
    ['https://insiders.vscode.dev/redirect', 'https'],
    ['https://app.example.com:8443/cb?x=1', 'https'],
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.0.0.1:33418/', 'loopback'],
    ['http://localhost:6274/oauth/callback', 'loopback'],
    ['http://[::1]:8080/cb', 'loopback'],
    ['cursor://anysphere.cursor-retrieval/oauth/callback', 'custom'],
    ['com.example.app:/oauth2redirect', 'custom'],
    ['com.example.app://callback', 'custom'],
    ['io.github.someone.tool:/cb', 'custom'],
  ])('should accept %s as %s', (uri, kind) => {
    expect(classifyRedirectUri(uri, open)).toBe(kind);
  });

  it.each([
    ['javascript:alert(1)', 'must not use the javascript scheme'],
    ['JavaScript:alert(1)', 'must not use the javascript scheme'],
    ['data:text/html,<script>alert(1)</script>', 'must not use the data scheme'],
    ['file:///etc/passwd', 'must not use the file scheme'],
    ['vbscript:msgbox(1)', 'must not use the vbscript scheme'],
    ['about:blank', 'must not use the about scheme'],
    ['blob:https://a.example/uuid', 'must not use the blob scheme'],
    ['http://app.example.com/cb', 'may use http only on a loopback host'],
    ['http://127.0.0.2/cb', 'may use http only on a loopback host'],
    ['http://localhost.evil.com/cb', 'may use http only on a loopback host'],
    ['https://app.example.com/cb#frag', 'must not contain a fragment'],
    ['https://app.example.com/cb#', 'must not contain a fragment'],
    ['https://user:pw@app.example.com/cb', 'must not contain userinfo'],
    ['https://@app.example.com/cb', 'must not contain userinfo'],
    ['https://*.example.com/cb', 'must not contain wildcards'],
    ['http://localhost:*/cb', 'must not contain wildcards'],
    ['https://app.example.com\\@evil.com/', 'must not contain backslashes'],
    ['https://app.example.com/a b', 'must not contain whitespace or control characters'],
    ['https://app.example.com/\n', 'must not contain whitespace or control characters'],
    ['/relative/path', 'must be an absolute uri'],
    ['//app.example.com/cb', 'must be an absolute uri'],
    ['com.example.app:', 'must not be a bare scheme'],
    ['com.example.app://', 'must not be a bare scheme'],
    ['cursor:', 'must not be a bare scheme'],
    ['mailto:a@example.com', 'must not use the mailto scheme'],
    ['view-source:https://a.example/', 'must not use the view-source scheme'],
    ['', 'must not be empty'],
  ])('should reject %j: %s', (uri, expected) => {
    expect(reason(uri)).toBe(expected);
  });

  it('should reject a redirect URI longer than 2000 characters', () => {
    expect(reason(`https://a.example/${'x'.repeat(2000)}`)).toBe('is too long');
  });

  it('should refuse private-use schemes when the policy forbids them, but keep https and loopback', () => {
    const strict = { allowCustomSchemes: false, namedCustomSchemes: ['cursor'] };
    expect(reason('cursor://anysphere.cursor-retrieval/oauth/callback', strict)).toBe(
      'uses a private-use uri scheme, which this server does not accept',
    );
    expect(classifyRedirectUri('https://vscode.dev/redirect', strict)).toBe('https');
    expect(classifyRedirectUri('http://127.0.0.1:9/cb', strict)).toBe('loopback');
  });
});

describe('private-use schemes: an allowlist of shapes (RFC 8252 §7.1)', () => {
  const NOT_REVERSE_DNS =
    'uses a private-use uri scheme that is not a reverse domain name (such as com.example.app)';

  it.each([
    'ms-msdt:/id PCWDiagnostic'.replace(' ', '%20'),
    'ms-settings:privacy',
    'search-ms:query=x',
    'chrome://settings',
    'vscode://vscode.github-authentication/did-authenticate',
    'x-apple.systempreferences:com.apple.preference.security',
    'myapp://callback',
    'com.-example:/cb',
    'com..example:/cb',
  ])('should refuse %s, which is not a reverse domain name nor named', (uri) => {
    expect(reason(uri)).toBe(NOT_REVERSE_DNS);
  });

  it('should accept a scheme named in REGISTRATION_CUSTOM_SCHEMES, and only that one', () => {
    const rules = { allowCustomSchemes: true, namedCustomSchemes: ['vscode'] };
    expect(classifyRedirectUri('vscode://vscode.github-authentication/cb', rules)).toBe('custom');
    expect(reason('cursor://anysphere.cursor-retrieval/cb', rules)).toBe(NOT_REVERSE_DNS);
  });

  it('should not let REGISTRATION_CUSTOM_SCHEMES name a scheme that runs script or reads local data', () => {
    for (const s of [
      'javascript',
      'data',
      'file',
      'http',
      'https',
      'view-source',
      'mailto',
      'a',
      'com.example',
    ])
      expect(isNameableCustomScheme(s)).toBe(false);
    expect(isNameableCustomScheme('cursor')).toBe(true);
  });
});

describe(allNative.name, () => {
  it('should call a client native only when no redirect URI is https', () => {
    expect(allNative(['loopback', 'custom'])).toBe(true);
    expect(allNative(['loopback', 'https'])).toBe(false);
  });
});
