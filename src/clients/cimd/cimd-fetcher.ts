import { lookup as dnsLookup } from 'node:dns/promises';
import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { isAllowedAddress } from './address-policy';
import { CimdError } from './cimd-error';

export const CIMD_MAX_BYTES = 5 * 1024;
export const CIMD_MAX_REDIRECTS = 3;

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface CimdFetchOptions {
  /** Budget for everything: DNS, connect, redirects, body. */
  timeoutMs: number;
  /** Test only: loopback addresses are acceptable. */
  allowLoopback: boolean;
  maxBytes?: number;
  maxRedirects?: number;
  /** Name resolution (every address of the host); injectable for tests. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface FetchedDocument {
  body: unknown;
  cacheControl?: string;
}

const USER_AGENT = 'mcp-oauth-server (client-id-metadata-document)';

/**
 * Fetches a Client ID Metadata Document without becoming an SSRF proxy (CIMD draft §6, docs/mcp.md
 * §1 item 25): the host is resolved here and refused unless every address is public; the
 * connection is pinned to the vetted address (a custom `lookup`), so DNS rebinding cannot switch it
 * between check and use; redirects only within the same origin (at most 3, each one vetted again);
 * 200 with a JSON content type only; the body is capped at 5 KB, and the whole exchange at
 * `timeoutMs`.
 */
export async function fetchMetadataDocument(
  url: URL,
  options: CimdFetchOptions,
): Promise<FetchedDocument> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      const target = await abortable(vetHost(current, options), controller.signal);
      const res = await request(current, target, controller.signal);
      if (
        res.statusCode &&
        res.statusCode >= 300 &&
        res.statusCode < 400 &&
        res.statusCode !== 304
      ) {
        res.destroy();
        current = nextHop(
          url,
          current,
          res.headers.location,
          hop,
          options.maxRedirects ?? CIMD_MAX_REDIRECTS,
        );
        continue;
      }
      if (res.statusCode !== 200) {
        res.destroy();
        throw new CimdError(`fetch failed with http status ${res.statusCode}`);
      }
      if (!isJsonContentType(res.headers['content-type'])) {
        res.destroy();
        throw new CimdError('response is not application/json');
      }
      const text = await readBody(res, options.maxBytes ?? CIMD_MAX_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new CimdError('response is not valid json');
      }
      return { body, cacheControl: header(res.headers['cache-control']) };
    }
  } catch (err) {
    if (controller.signal.aborted) throw new CimdError('fetch timed out');
    if (err instanceof CimdError) throw err;
    throw new CimdError('fetch failed');
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves the host and returns the address to connect to, or refuses. */
async function vetHost(url: URL, options: CimdFetchOptions): Promise<ResolvedAddress> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(hostname);
    } catch {
      throw new CimdError('host name could not be resolved');
    }
  }
  if (addresses.length === 0) throw new CimdError('host name could not be resolved');
  // Every address must pass: otherwise a mixed answer could still lead the connection inside.
  if (!addresses.every((a) => isAllowedAddress(a.address, options))) {
    throw new CimdError('host resolves to a non-public address');
  }
  return addresses[0];
}

function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  return dnsLookup(hostname, { all: true, verbatim: true });
}

function request(url: URL, target: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // The connection goes to the vetted address whatever DNS says by now.
  const lookup: LookupFunction = (_host, opts, callback) => {
    if (opts?.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
        lookup,
        agent: false,
        signal,
        ...(url.protocol === 'https:' && !isIP(hostname) ? { servername: hostname } : {}),
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

function nextHop(
  origin: URL,
  current: URL,
  location: string | undefined,
  hop: number,
  max: number,
): URL {
  if (hop >= max) throw new CimdError('too many redirects');
  if (!location) throw new CimdError('redirect without a location');
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new CimdError('redirect to an invalid url');
  }
  if (next.origin !== origin.origin) throw new CimdError('redirect to another origin');
  return next;
}

function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      reject(new CimdError(`document is larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(new CimdError(`document is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new CimdError('response is not valid utf-8'));
      }
    });
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new CimdError('connection closed early'));
    });
  });
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CimdError('fetch timed out'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new CimdError('fetch timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
