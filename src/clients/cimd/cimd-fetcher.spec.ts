import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { CimdError } from './cimd-error';
import { CimdFetchOptions, fetchMetadataDocument } from './cimd-fetcher';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe(fetchMetadataDocument.name, () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, Handler>();
  const options: CimdFetchOptions = { timeoutMs: 1000, allowLoopback: true };
  const json =
    (body: unknown, headers: Record<string, string> = {}): Handler =>
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
  const reason = async (path: string, opts: CimdFetchOptions = options): Promise<string> => {
    try {
      await fetchMetadataDocument(new URL(path, base), opts);
    } catch (err) {
      if (err instanceof CimdError) return err.reason;
      throw err;
    }
    throw new Error('expected the fetch to fail');
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const handler = routes.get(req.url ?? '');
      if (handler) return handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should return the parsed document and its Cache-Control', async () => {
    routes.set('/ok', json({ client_id: 'x' }, { 'Cache-Control': 'max-age=120' }));
    const doc = await fetchMetadataDocument(new URL('/ok', base), options);
    expect(doc).toEqual({ body: { client_id: 'x' }, cacheControl: 'max-age=120' });
  });

  it('should send Accept: application/json', async () => {
    let accept: string | undefined;
    routes.set('/accept', (req, res) => {
      accept = req.headers.accept;
      json({})(req, res);
    });
    await fetchMetadataDocument(new URL('/accept', base), options);
    expect(accept).toBe('application/json');
  });

  it('should refuse a loopback address unless allowed', async () => {
    expect(await reason('/ok', { ...options, allowLoopback: false })).toBe(
      'host resolves to a non-public address',
    );
  });

  it('should refuse a host name with any non-public address, and connect to the vetted one', async () => {
    const port = (server.address() as AddressInfo).port;
    const mixed = async () => [
      { address: '8.8.8.8', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    expect(await reason(`http://docs.example:${port}/ok`, { ...options, resolve: mixed })).toBe(
      'host resolves to a non-public address',
    );
    const pinned = async () => [{ address: '127.0.0.1', family: 4 }];
    const doc = await fetchMetadataDocument(new URL(`http://docs.example:${port}/ok`), {
      ...options,
      resolve: pinned,
    });
    expect(doc.body).toEqual({ client_id: 'x' });
    const unresolvable = async () => Promise.reject(new Error('ENOTFOUND'));
    expect(
      await reason(`http://nowhere.example:${port}/ok`, { ...options, resolve: unresolvable }),
    ).toBe('host name could not be resolved');
  });

  it('should follow a same-origin redirect but no more than three', async () => {
    routes.set('/r1', (_req, res) => res.writeHead(302, { Location: '/ok' }).end());
    expect((await fetchMetadataDocument(new URL('/r1', base), options)).body).toEqual({
      client_id: 'x',
    });
    routes.set('/loop', (_req, res) => res.writeHead(301, { Location: '/loop' }).end());
    expect(await reason('/loop')).toBe('too many redirects');
  });

  it('should refuse a redirect to another origin', async () => {
    const port = (server.address() as AddressInfo).port;
    routes.set('/away', (_req, res) =>
      res.writeHead(302, { Location: `http://localhost:${port}/ok` }).end(),
    );
    expect(await reason('/away')).toBe('redirect to another origin');
  });

  it('should refuse non-200 answers, non-JSON and invalid JSON', async () => {
    expect(await reason('/missing')).toBe('fetch failed with http status 404');
    routes.set('/html', (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('{}'),
    );
    expect(await reason('/html')).toBe('response is not application/json');
    routes.set('/bad', (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{nope'),
    );
    expect(await reason('/bad')).toBe('response is not valid json');
    routes.set('/latin1', (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(Buffer.from([0x22, 0xff, 0x22])),
    );
    expect(await reason('/latin1')).toBe('response is not valid utf-8');
  });

  it('should stop reading beyond 5 KB, declared or not', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(6000) });
    routes.set('/declared', (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(big),
    );
    expect(await reason('/declared')).toBe('document is larger than 5120 bytes');
    routes.set('/chunked', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write(big.slice(0, 3000));
      res.end(big.slice(3000));
    });
    expect(await reason('/chunked')).toBe('document is larger than 5120 bytes');
  });

  it('should give up when the whole exchange takes longer than the timeout', async () => {
    routes.set('/slow-headers', () => undefined);
    routes.set('/slow-body', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
    });
    const started = Date.now();
    expect(await reason('/slow-headers', { ...options, timeoutMs: 150 })).toBe('fetch timed out');
    expect(await reason('/slow-body', { ...options, timeoutMs: 150 })).toBe('fetch timed out');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
