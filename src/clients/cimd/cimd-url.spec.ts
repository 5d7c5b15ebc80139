import { CimdError } from './cimd-error';
import { looksLikeCimdUrl, parseCimdUrl } from './cimd-url';

const strict = { allowHttpLoopback: false, allowedPorts: [443] };
const reason = (id: string, options = strict): string => {
  try {
    parseCimdUrl(id, options);
  } catch (err) {
    if (err instanceof CimdError) return err.reason;
    throw err;
  }
  throw new Error(`expected ${id} to be rejected`);
};

describe(looksLikeCimdUrl.name, () => {
  it('should take https client_ids for metadata document URLs, and http ones only when testing', () => {
    expect(looksLikeCimdUrl('https://app.example.com/client.json', strict)).toBe(true);
    expect(looksLikeCimdUrl('demo_client', strict)).toBe(false);
    expect(looksLikeCimdUrl('mcp_abc', strict)).toBe(false);
    expect(looksLikeCimdUrl('http://127.0.0.1:9/client.json', strict)).toBe(false);
    expect(
      looksLikeCimdUrl('http://127.0.0.1:9/client.json', {
        allowHttpLoopback: true,
        allowedPorts: [443],
      }),
    ).toBe(true);
  });
});

describe(parseCimdUrl.name, () => {
  it('should accept an https URL with a path (and a query)', () => {
    expect(parseCimdUrl('https://app.example.com/oauth/client.json', strict).hostname).toBe(
      'app.example.com',
    );
    expect(parseCimdUrl('https://app.example.com/c?v=2', strict).search).toBe('?v=2');
    expect(parseCimdUrl('https://app.example.com:443/c', strict).hostname).toBe('app.example.com');
  });

  it('should fetch only from the configured ports (CIMD_ALLOWED_PORTS)', () => {
    const ports = { allowHttpLoopback: false, allowedPorts: [443, 8443] };
    expect(parseCimdUrl('https://app.example.com:8443/c', ports).port).toBe('8443');
    expect(reason('https://app.example.com:9443/c', ports)).toBe(
      'client_id url must use port 443 or 8443',
    );
  });

  it.each([
    ['http://app.example.com/client.json', 'client_id url must use https'],
    ['https://app.example.com', 'client_id url must have a path'],
    ['https://app.example.com/', 'client_id url must have a path'],
    ['https://app.example.com?x=1', 'client_id url must have a path'],
    ['https://app.example.com/client.json#frag', 'client_id url must not contain a fragment'],
    ['https://user:pw@app.example.com/client.json', 'client_id url must not contain userinfo'],
    ['https://user@app.example.com/client.json', 'client_id url must not contain userinfo'],
    ['https://app.example.com/a/../client.json', 'client_id url must not contain dot segments'],
    ['https://app.example.com/./client.json', 'client_id url must not contain dot segments'],
    ['https://app.example.com/a/%2e%2e/client.json', 'client_id url must not contain dot segments'],
    ['https://app.example.com/%zz', 'client_id url has invalid percent-encoding'],
    ['https://app.example.com/a b', 'client_id url contains whitespace or control characters'],
    [
      'https://app.example.com\\client.json',
      'client_id url contains whitespace or control characters',
    ],
    [`https://app.example.com/${'x'.repeat(2048)}`, 'client_id url is too long'],
    ['https://[::1/x', 'client_id url is not a valid url'],
    ['https://app.example.com:8443/client.json', 'client_id url must use port 443'],
    ['https://app.example.com:22/client.json', 'client_id url must use port 443'],
  ])('should reject %s', (id, expected) => {
    expect(reason(id)).toBe(expected);
  });

  it('should accept http only on a loopback host, and only when testing', () => {
    const testing = { allowHttpLoopback: true, allowedPorts: [4000] };
    expect(parseCimdUrl('http://127.0.0.1:4000/client.json', testing).port).toBe('4000');
    expect(parseCimdUrl('http://localhost:4000/client.json', testing).hostname).toBe('localhost');
    expect(reason('http://app.example.com/client.json', testing)).toBe(
      'client_id url must use https',
    );
  });
});
