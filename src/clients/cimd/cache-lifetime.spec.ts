import { cacheLifetimeSeconds } from './cache-lifetime';

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
