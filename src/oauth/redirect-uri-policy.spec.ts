import { redirectUriProblem } from './redirect-uri-policy';

describe(redirectUriProblem.name, () => {
  it.each([
    'https://app.example.com/callback',
    'https://claude.ai/api/mcp/auth_callback',
    'https://vscode.dev/redirect',
    'http://127.0.0.1:3000/cb',
    'http://localhost/callback?x=1',
    'http://[::1]:8080/cb',
    'cursor://anysphere.cursor-retrieval/oauth/callback',
    'com.example.app:/oauth2redirect',
  ])('should accept %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    ['javascript:alert(1)', 'must not use the javascript scheme'],
    ['JavaScript:alert(1)', 'must not use the javascript scheme'],
    ['data:text/html,<script>alert(1)</script>', 'must not use the data scheme'],
    ['file:///etc/passwd', 'must not use the file scheme'],
    ['vbscript:msgbox', 'must not use the vbscript scheme'],
    ['http://app.example.com/cb', 'http is only allowed for loopback hosts'],
    ['https://app.example.com/cb#frag', 'must not contain a fragment'],
    ['https://user:pw@app.example.com/cb', 'must not contain credentials'],
    ['https://app.example.com\\@evil.example/cb', 'must not contain backslashes'],
    ['https://*.example.com/cb', 'must not contain wildcards'],
    ['/relative/path', 'must be an absolute URI'],
    ['https://app.example.com/a b', 'must not contain whitespace or control characters'],
    ['myapp:', 'must not be a bare scheme'],
    ['', 'must be a non-empty string'],
  ])('should reject %s', (uri, problem) => {
    expect(redirectUriProblem(uri)).toBe(problem);
  });

  it('should reject values that are not strings and overly long URIs', () => {
    expect(redirectUriProblem(42)).toBe('must be a non-empty string');
    expect(redirectUriProblem(`https://a.example/${'x'.repeat(2000)}`)).toBe('is too long');
  });
});
