import { resourceMatches } from './resource';

describe(resourceMatches.name, () => {
  const canonical = 'http://localhost:8000/mcp';

  it('should accept the canonical URI and case variants of scheme and host', () => {
    expect(resourceMatches(canonical, canonical)).toBe(true);
    expect(resourceMatches('HTTP://LOCALHOST:8000/mcp', canonical)).toBe(true);
  });

  it('should reject other paths, origins, queries and fragments', () => {
    expect(resourceMatches('http://localhost:8000/mcp/', canonical)).toBe(false);
    expect(resourceMatches('http://localhost:8000/other', canonical)).toBe(false);
    expect(resourceMatches('http://localhost:8001/mcp', canonical)).toBe(false);
    expect(resourceMatches('http://localhost:8000/mcp?x=1', canonical)).toBe(false);
    expect(resourceMatches('http://localhost:8000/mcp#f', canonical)).toBe(false);
    expect(resourceMatches('not a url', canonical)).toBe(false);
  });

  it('should tolerate a trailing slash on an origin-only resource', () => {
    expect(resourceMatches('https://mcp.example.com/', 'https://mcp.example.com')).toBe(true);
  });
});
