import { intersect, isSubset, parseScope } from './scope';

describe(parseScope.name, () => {
  it('should split on spaces and drop duplicates', () => {
    expect(parseScope('read  write read')).toEqual(['read', 'write']);
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
  });

  it('should reject characters outside RFC 6749 §3.3', () => {
    expect(parseScope('read "write"')).toBeNull();
    expect(parseScope('read\\x')).toBeNull();
    expect(parseScope('réad')).toBeNull();
    expect(parseScope('read\twrite')).toBeNull();
  });

  it('should compare scope sets', () => {
    expect(isSubset(['read'], ['read', 'write'])).toBe(true);
    expect(isSubset(['admin'], ['read'])).toBe(false);
    expect(intersect(['write', 'read', 'admin'], ['read', 'write'])).toEqual(['write', 'read']);
  });
});
