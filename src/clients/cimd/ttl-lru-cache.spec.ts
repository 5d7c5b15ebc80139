import { cacheLifetimeSeconds, TtlLruCache } from './ttl-lru-cache';

describe(cacheLifetimeSeconds.name, () => {
  it.each<[string | undefined, number]>([
    [undefined, 300],
    ['', 300],
    ['public', 300],
    ['max-age=3600', 3600],
    ['public, max-age=120', 120],
    ['max-age=120, must-revalidate', 120],
    ['MAX-AGE="600"', 600],
    ['max-age=0', 60],
    ['max-age=5', 60],
    ['max-age=604800', 86400],
    ['max-age=999999999999', 86400],
    ['s-maxage=600', 300],
    ['no-store', 60],
    ['no-cache, max-age=3600', 60],
    ['max-age=abc', 300],
  ])('should turn Cache-Control %j into %d seconds', (header, seconds) => {
    expect(cacheLifetimeSeconds(header)).toBe(seconds);
  });
});

describe(TtlLruCache.name, () => {
  it('should forget entries once they expire', () => {
    const sut = new TtlLruCache<string>(10);
    sut.set('a', 'A', 1000);
    expect(sut.get('a', 999)).toBe('A');
    expect(sut.get('a', 1000)).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('should evict the least recently used entry when full', () => {
    const sut = new TtlLruCache<number>(2);
    sut.set('a', 1, 10_000);
    sut.set('b', 2, 10_000);
    sut.get('a', 0); // a is now the most recently used
    sut.set('c', 3, 10_000);
    expect(sut.get('b', 0)).toBeUndefined();
    expect(sut.get('a', 0)).toBe(1);
    expect(sut.get('c', 0)).toBe(3);
    expect(sut.size).toBe(2);
  });
});
