import { BoundedCache } from './bounded-cache';

describe(BoundedCache.name, () => {
  it('should forget entries once they expire', () => {
    const sut = new BoundedCache<string, string>(10);
    sut.set('a', 'A', 1000);
    expect(sut.get('a', 999)).toBe('A');
    expect(sut.get('a', 1000)).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('should evict the least recently used entry when full', () => {
    const sut = new BoundedCache<string, number>(2);
    sut.set('a', 1, 10_000);
    sut.set('b', 2, 10_000);
    sut.get('a', 0); // a is now the most recently used
    sut.set('c', 3, 10_000);
    expect(sut.get('b', 0)).toBeUndefined();
    expect(sut.get('a', 0)).toBe(1);
    expect(sut.get('c', 0)).toBe(3);
    expect(sut.size).toBe(2);
  });

  it('should never hold more than maxEntries', () => {
    const sut = new BoundedCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) sut.set(i, i, 1);
    expect(sut.size).toBe(100);
    expect(sut.get(9_999, 0)).toBe(9_999);
    expect(sut.get(0, 0)).toBeUndefined();
  });

  it('should replace an entry set again, with its new expiry', () => {
    const sut = new BoundedCache<string, string>(2);
    sut.set('a', 'old', 10);
    sut.set('a', 'new', 20);
    expect(sut.size).toBe(1);
    expect(sut.get('a', 15)).toBe('new');
  });

  it('should delete one entry, matching entries, or all', () => {
    const sut = new BoundedCache<string, boolean>(10);
    sut.set('a', true, 10);
    sut.set('b', false, 10);
    sut.set('c', false, 10);
    sut.delete('a');
    expect(sut.get('a', 0)).toBeUndefined();
    sut.deleteWhere((revoked) => !revoked);
    expect(sut.size).toBe(0);
    sut.set('d', true, 10);
    sut.clear();
    expect(sut.size).toBe(0);
  });

  it('should refuse a size that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
    expect(() => new BoundedCache(1.5)).toThrow(RangeError);
  });
});
