import fc from 'fast-check';
import type { Response } from 'supertest';
import type { DataSource } from 'typeorm';

/**
 * Building blocks of the hostile-input fuzz spec: adversarial values, raw encodings (duplicates,
 * invalid percent-encoding and UTF-8, JSON where a form is expected, oversized bodies), the
 * invariants every response must keep, and a checksum of the database.
 */

export const BIG = 'A'.repeat(100 * 1024);

/** Values that have broken parsers, validators, redirects, templates and SQL elsewhere. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: pwned=1',
  '\r\nLocation: https://evil.example/',
  'x\r\n\r\n<html>injected</html>',
  '%0d%0aSet-Cookie:%20pwned=1',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '..\\..\\windows\\win.ini',
  '/./.././',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '$1',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9'.repeat(400),
  'true',
  '[]',
  '{}',
  '[object Object]',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://evil.example/callback',
  'https://evil.example/.well-known/x',
  'http://localhost:3000/callback/../evil',
  'http://localhost:3000/callback?x=1#frag',
  'http://localhost:3000/callback\r\nX: y',
  'HTTP://LOCALHOST:3000/CALLBACK',
  'file:///etc/passwd',
  'cursor://anything',
  'S256',
  'plain',
  'code token',
  'openid offline_access admin',
  'read write admin introspection',
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '\uFFFE\uFFFF',
  '\u202Egnp.exe',
  'Ω≈ç√∫˜µ≤≥÷',
  '👩‍👩‍👧‍👦',
  'ＡＤＭＩＮ',
  'demo_user',
  'demo_client',
  'mcprt_' + 'A'.repeat(43),
  'mcpac_' + 'A'.repeat(43),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
  'x'.repeat(5000),
];

/** Percent sequences that do not decode to valid UTF-8 (or do not decode at all). */
export const BAD_PERCENT: readonly string[] = [
  '%',
  '%%',
  '%zz',
  '%G0',
  '%FF',
  '%C0%AF',
  '%E0%80%80',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%E0%A4%A',
  '%00',
  '%0D%0A',
  '%0d%0aLocation:%20https://evil.example',
];

export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);

/** A value for a parameter whose valid value is known: valid most of the time, so checks go deep. */
export const valueFor = (valid: string | string[] | undefined): fc.Arbitrary<string> => {
  if (valid === undefined) return text;
  const good = typeof valid === 'string' ? fc.constant(valid) : fc.constantFrom(...valid);
  return fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 2, arbitrary: text },
    { weight: 1, arbitrary: fc.tuple(good, text).map(([g, t]) => g + t) },
  );
};

export type Pair = readonly [string, string];

/**
 * Parameters for an endpoint: mostly the valid request with up to two parameters spoiled (absent,
 * hostile, extended or sent twice), so the checks deep in the handler run too; plus a few unknown
 * or hostile names. A parameter without a valid value gets safe text when it is not spoiled.
 */
export function params(valid: Record<string, string | string[] | undefined>): fc.Arbitrary<Pair[]> {
  const names = Object.keys(valid);
  const good = (name: string): fc.Arbitrary<Pair[]> => {
    const value = valid[name];
    const arb =
      value === undefined
        ? fc.string({ unit: 'grapheme-ascii', maxLength: 20 })
        : typeof value === 'string'
          ? fc.constant(value)
          : fc.constantFrom(...value);
    return arb.map((v): Pair[] => [[name, v]]);
  };
  const spoiled = (name: string): fc.Arbitrary<Pair[]> =>
    fc.oneof(
      fc.constant<Pair[]>([]),
      text.map((v): Pair[] => [[name, v]]),
      valueFor(valid[name]).map((v): Pair[] => [[name, v]]),
      fc.tuple(valueFor(valid[name]), valueFor(valid[name])).map(([a, b]): Pair[] => [
        [name, a],
        [name, b],
      ]),
    );
  const extraName = fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'client_id[]',
      'a[b][c]',
      'scope[0]',
      '',
      '=',
      '&',
      'x'.repeat(300),
    ),
    fc.string({ maxLength: 12 }),
  );
  const extra = fc.array(fc.tuple(extraName, text), { maxLength: 2 });
  return fc
    .subarray(names, { maxLength: Math.min(2, names.length) })
    .chain((bad) =>
      fc.tuple(fc.tuple(...names.map((n) => (bad.includes(n) ? spoiled(n) : good(n)))), extra),
    )
    .map(([known, e]) => [...known.flat(), ...e]);
}

/** A JSON object: the valid one with up to two members replaced by hostile values, or dropped. */
export function spoiledObject(
  valid: Record<string, unknown>,
  hostile: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(hostile);
  return fc
    .subarray(names, { maxLength: 2 })
    .chain((bad) =>
      fc.tuple(
        ...bad.map((n) =>
          fc.oneof(
            fc.constant<[string, unknown]>([n, undefined]),
            hostile[n].map((v): [string, unknown] => [n, v]),
          ),
        ),
      ),
    )
    .map((changes) => {
      const out: Record<string, unknown> = { ...valid };
      for (const [n, v] of changes) {
        if (v === undefined) delete out[n];
        else out[n] = v;
      }
      return out;
    });
}

/** encodeURIComponent that also takes lone surrogates (encoded as their WTF-8 bytes). */
export function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    let out = '';
    for (const ch of value) {
      const code = ch.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff) {
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      } else {
        out += encodeURIComponent(ch);
      }
    }
    return out;
  }
}

/** `a=b&c=d`, with an optional invalid percent sequence spliced in somewhere. */
export const urlEncoded = (pairs: Pair[], junk?: { at: number; seq: string }): string => {
  const parts = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`);
  if (junk) parts.splice(junk.at % (parts.length + 1), 0, `junk${junk.seq}=x${junk.seq}`);
  return parts.join('&');
};

export const junkArb = fc.option(
  fc.record({ at: fc.nat(10), seq: fc.constantFrom(...BAD_PERCENT) }),
  { nil: undefined },
);

/** A request body: the same parameters as a form, as JSON, broken, oversized, or of another type. */
export interface Body {
  contentType?: string;
  data?: string | Buffer;
  kind: string;
}

const jsonValue = (pairs: Pair[], shape: 'string' | 'array' | 'object' | 'number'): unknown => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    out[k] =
      shape === 'string'
        ? v
        : shape === 'array'
          ? [v, v]
          : shape === 'object'
            ? { value: v }
            : 1e309;
  }
  return out;
};

export function bodies(
  pairs: fc.Arbitrary<Pair[]>,
  preferred: 'form' | 'json',
): fc.Arbitrary<Body> {
  const form = 'application/x-www-form-urlencoded';
  const variants: Array<fc.Arbitrary<Body>> = [
    fc
      .tuple(pairs, junkArb)
      .map(([p, junk]) => ({ kind: 'form', contentType: form, data: urlEncoded(p, junk) })),
    fc
      .tuple(
        pairs,
        fc.constantFrom('string', 'array', 'object', 'number') as fc.Arbitrary<'string'>,
      )
      .map(([p, shape]) => ({
        kind: `json-${shape}`,
        contentType: 'application/json',
        data: JSON.stringify(jsonValue(p, shape)),
      })),
    fc
      .constantFrom(
        '{"a":',
        '[1,2',
        'null',
        '"just a string"',
        '[]',
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
        '{"a":1,"a":2}',
        '\u0000',
        '{"x":"\\ud800"}',
      )
      .map((data) => ({ kind: 'json-raw', contentType: 'application/json', data })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'application/x-www-form-urlencoded; charset=utf-16',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded; charset=iso-8859-1',
      )
      .chain((contentType) =>
        pairs.map((p) => ({ kind: `other:${contentType}`, contentType, data: urlEncoded(p) })),
      ),
    fc.constant<Body>({ kind: 'none' }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
      kind: 'bytes',
      contentType: preferred === 'json' ? 'application/json' : form,
      data: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(bytes)]),
    })),
    pairs.map((p) => ({
      kind: 'oversized',
      contentType: preferred === 'json' ? 'application/json' : form,
      data:
        preferred === 'json'
          ? JSON.stringify({ ...Object.fromEntries(p), big: BIG })
          : urlEncoded([...p, ['big', BIG]]),
    })),
    fc.constantFrom('application/x-www-form-urlencoded', 'application/json').map((contentType) => ({
      kind: 'many-params',
      contentType,
      data:
        contentType === 'application/json'
          ? JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, i])))
          : Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join('&'),
    })),
  ];
  const weights = preferred === 'form' ? [10, 2, 1, 1, 1, 1, 1, 1] : [1, 10, 2, 1, 1, 1, 1, 1];
  return fc.oneof(...variants.map((arbitrary, i) => ({ weight: weights[i], arbitrary })));
}

/** Authorization header values: absent, valid, or hostile. */
export function authorizations(valid: string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(
          'Basic',
          'Basic ',
          'Basic !!!',
          'Basic ====',
          `Basic ${Buffer.from(':').toString('base64')}`,
          `Basic ${Buffer.from('demo_client').toString('base64')}`,
          `Basic ${Buffer.from('demo_client:%zz').toString('base64')}`,
          `Basic ${Buffer.from(`demo_client:${'s'.repeat(10_000)}`).toString('base64')}`,
          `Basic ${Buffer.from([0xff, 0x3a, 0xfe]).toString('base64')}`,
          'Bearer',
          'Bearer ',
          'Bearer a b c',
          `Bearer ${'x'.repeat(8000)}`,
          'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
          'DPoP abc',
          'Digest username="x"',
          'bearer\tabc',
        ),
        fc.string({ maxLength: 40 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `Bearer ${s}`),
      ),
    },
  );
}

/** Extra headers: spoofed forwarding, odd origins, a huge header. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        'X-Forwarded-For': fc.constantFrom(
          '1.2.3.4',
          '::1, 10.0.0.1',
          'garbage',
          '300.300.300.300',
        ),
        'X-Forwarded-Proto': fc.constantFrom('https', 'gopher'),
        'X-Forwarded-Host': fc.constantFrom('evil.example', ''),
        Origin: fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1:8000', 'file://'),
        Cookie: fc.constantFrom(
          'mcp_session=s%3Agarbage.sig',
          'mcp_session=j%3A%7B%7D',
          'mcp_session=;;;',
          'a=%zz',
        ),
        'Content-Encoding': fc.constantFrom('gzip', 'br', 'identity'),
        'MCP-Protocol-Version': fc.constantFrom('1999-01-01', '', '2025-11-25'),
        Accept: fc.constantFrom(
          'text/html',
          '*/*',
          'application/json, text/event-stream',
          'image/png',
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constant({ 'X-Huge': 'h'.repeat(20_000) }) },
);

// What an error body must never contain: stack frames, source paths, SQL, driver or runtime errors.
const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /\n\s+at [^\n]+:\d+:\d+/],
  ['source path', /(\/work\/|\/home\/|node_modules|\bsrc\/[\w/-]+\.ts|\.ts:\d+)/],
  [
    'SQL',
    /\bSELECT\b[\s\S]{0,200}\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+"?\w+"?\s+SET\b|\bsyntax error at or near\b/,
  ],
  [
    'driver error',
    /QueryFailedError|EntityNotFound|duplicate key value|violates (?:unique|foreign key|check) constraint|invalid input syntax/i,
  ],
  ['runtime error', /\b(TypeError|ReferenceError|RangeError|SyntaxError): /],
];

export interface ResponseExpectations {
  /** Redirects may go only to these prefixes (besides this server's own relative paths). */
  redirectPrefixes: string[];
  /** A 404 names the path it did not find: what the request itself sent is not a leak. */
  requestPath: string;
}

/** The invariants of docs/security.md / docs/architecture.md §7 for one response. Returns problems found. */
export function responseProblems(res: Response, expect: ResponseExpectations): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  // Node answers these itself, before the application sees the request.
  if (res.status === 431 || res.status === 414) return problems;
  const type = String(res.headers['content-type'] ?? '');
  const body = res.text ?? '';
  if (res.status >= 400) {
    if (/json/.test(type)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        problems.push('error body is not JSON');
      }
      const error = (parsed as { error?: unknown } | undefined)?.error;
      const isJsonRpc = (parsed as { jsonrpc?: unknown } | undefined)?.jsonrpc === '2.0';
      if (typeof error !== 'string' && !(isJsonRpc && error && typeof error === 'object')) {
        problems.push('JSON error without an error code');
      }
    } else if (/text\/html/.test(type)) {
      if (!/<html/i.test(body)) problems.push('HTML error without a page');
    } else {
      problems.push(`error with content type "${type}"`);
    }
  }
  const path = expect.requestPath.split('?')[0];
  const own = body.split(path).join('').split(path.toLowerCase()).join('');
  for (const [name, pattern] of LEAKS) if (pattern.test(own)) problems.push(`body leaks ${name}`);
  const headers = res.headers as Record<string, string | undefined>;
  if (headers['x-content-type-options'] !== 'nosniff') problems.push('no nosniff');
  if (headers['referrer-policy'] !== 'no-referrer') problems.push('no Referrer-Policy');
  if (!/frame-ancestors 'none'/.test(headers['content-security-policy'] ?? ''))
    problems.push('no frame-ancestors');
  const location = headers.location;
  if (location !== undefined) {
    if (/[\r\n]/.test(location)) problems.push('CR/LF in Location');
    const ok = location.startsWith('/') && !location.startsWith('//');
    if (!ok && !expect.redirectPrefixes.some((p) => location.startsWith(p))) {
      problems.push(`redirect to an unregistered place: ${location.slice(0, 100)}`);
    }
  }
  for (const cookie of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
    if (/pwned/.test(cookie)) problems.push('injected cookie');
  }
  return problems;
}

/**
 * One checksum of every table's rows (one round trip), ignoring the audit trail and the columns a
 * rejected request may legitimately touch (lockout counters, last-use times).
 */
export async function databaseChecksum(ds: DataSource): Promise<Record<string, string>> {
  const tables: Array<{ table_name: string }> = await ds.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name NOT IN ('audit_events', 'migrations', 'typeorm_metadata')
      ORDER BY table_name`,
  );
  const ignored = `- 'failed_login_count' - 'locked_until' - 'last_login_at' - 'last_used_at' - 'updated_at'`;
  const selects = tables.map(
    ({ table_name: name }) =>
      `SELECT '${name}' AS t, count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(x) ${ignored})::text, '|' ORDER BY (to_jsonb(x) ${ignored})::text)), '') AS sum FROM "${name}" x`,
  );
  const rows: Array<{ t: string; sum: string }> = await ds.query(selects.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.sum]));
}
