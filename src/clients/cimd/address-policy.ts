import { isIPv4, isIPv6 } from 'node:net';

/** Where an IP address leads, for deciding whether the server may connect to it (SSRF). */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'documentation'
  | 'reserved'
  | 'invalid';

type Range4 = [base: number, prefix: number, cls: AddressClass];

/* IANA IPv4 special-purpose registry (RFC 6890 and successors): everything not globally reachable. */
const IPV4_RANGES: Range4[] = [
  [ip4(0, 0, 0, 0), 8, 'unspecified'],
  [ip4(10, 0, 0, 0), 8, 'private'],
  [ip4(100, 64, 0, 0), 10, 'cgnat'],
  [ip4(127, 0, 0, 0), 8, 'loopback'],
  [ip4(169, 254, 0, 0), 16, 'link-local'],
  [ip4(172, 16, 0, 0), 12, 'private'],
  [ip4(192, 0, 0, 0), 24, 'reserved'],
  [ip4(192, 0, 2, 0), 24, 'documentation'],
  [ip4(192, 88, 99, 0), 24, 'reserved'],
  [ip4(192, 168, 0, 0), 16, 'private'],
  [ip4(198, 18, 0, 0), 15, 'reserved'],
  [ip4(198, 51, 100, 0), 24, 'documentation'],
  [ip4(203, 0, 113, 0), 24, 'documentation'],
  [ip4(224, 0, 0, 0), 4, 'multicast'],
  [ip4(240, 0, 0, 0), 4, 'reserved'],
];

/**
 * Classifies an IPv4 or IPv6 address literal (brackets and zone ids tolerated). IPv6 is public only
 * inside global unicast 2000::/3 minus its special blocks; IPv4-mapped (::ffff:a.b.c.d) addresses
 * are classified by their IPv4 address, and NAT64 (64:ff9b::/96) ones are public only if theirs is.
 */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(ip)) return classifyIPv4(parseIPv4(ip));
  if (!isIPv6(ip)) return 'invalid';
  const g = parseIPv6(ip);
  if (!g) return 'invalid';
  if (ip.includes('%')) return 'link-local'; // a zone id only makes sense for link-scoped addresses
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const embedded = ((g[6] << 16) | g[7]) >>> 0;
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIPv4(embedded); // ::ffff:0:0/96 IPv4-mapped
  if (zeros(0, 6)) return 'reserved'; // ::/96 IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) {
    return classifyIPv4(embedded) === 'public' ? 'public' : 'reserved'; // NAT64 well-known prefix
  }
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation'; // 2001:db8::/32
  if (g[0] === 0x3fff && g[1] < 0x1000) return 'documentation'; // 3fff::/20
  if (g[0] === 0x2001 && g[1] < 0x0200) return 'reserved'; // 2001::/23 protocol assignments, Teredo
  if (g[0] === 0x2002) return 'reserved'; // 6to4 relays
  if ((g[0] & 0xe000) === 0x2000) return 'public'; // 2000::/3 global unicast
  return 'reserved';
}

/** May the server connect here? Public addresses only; loopback too when a test allows it. */
export function isAllowedAddress(address: string, options: { allowLoopback: boolean }): boolean {
  const cls = classifyAddress(address);
  return cls === 'public' || (options.allowLoopback && cls === 'loopback');
}

function classifyIPv4(n: number): AddressClass {
  for (const [base, prefix, cls] of IPV4_RANGES) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if ((n & mask) >>> 0 === base) return cls;
  }
  return 'public';
}

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function parseIPv4(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number);
  return ip4(a, b, c, d);
}

/** Eight 16-bit groups, or null. Input already passed isIPv6. */
function parseIPv6(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return null;
    const v4 = parseIPv4(tail);
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...rest].map((h) => parseInt(h, 16));
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff)
    ? groups
    : null;
}
