import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/server';
import { SharedServerTransport } from './shared-server-transport';

describe(SharedServerTransport.name, () => {
  const auth = (clientId: string) => ({ token: '', clientId, scopes: [] });
  const request = (id: string | number): JSONRPCRequest => ({ jsonrpc: '2.0', id, method: 'ping' });

  it('should give each request a unique id on the way in and its own id back on the way out', async () => {
    const sut = new SharedServerTransport();
    const seen: Array<{ message: JSONRPCMessage; clientId?: string }> = [];
    sut.onmessage = (message, extra) => seen.push({ message, clientId: extra?.authInfo?.clientId });
    const a = sut.exchange(request(1), auth('a'));
    const b = sut.exchange(request(1), auth('b'));
    const [first, second] = seen.map((s) => (s.message as JSONRPCRequest).id);
    expect(first).not.toBe(second);
    expect(seen.map((s) => s.clientId)).toEqual(['a', 'b']);
    // Answers in the opposite order reach the right callers.
    await sut.send({ jsonrpc: '2.0', id: second, result: { who: 'b' } });
    await sut.send({ jsonrpc: '2.0', id: first, result: { who: 'a' } });
    expect(await a).toEqual({ jsonrpc: '2.0', id: 1, result: { who: 'a' } });
    expect(await b).toEqual({ jsonrpc: '2.0', id: 1, result: { who: 'b' } });
  });

  it('should drop notifications and answer pending requests with an error on close', async () => {
    const sut = new SharedServerTransport();
    sut.onmessage = () => undefined;
    const pending = sut.exchange(request('x'), auth('a'));
    await sut.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: {},
    } as JSONRPCMessage);
    await sut.close();
    expect(await pending).toMatchObject({ id: 'x', error: { code: -32603 } });
  });
});
