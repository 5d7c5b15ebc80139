import type {
  AuthInfo,
  JSONRPCMessage,
  JSONRPCRequest,
  RequestId,
  Transport,
} from '@modelcontextprotocol/server';

interface Pending {
  id: RequestId;
  resolve(message: JSONRPCMessage): void;
}

/**
 * A Transport (the SDK's public interface) that lets one long-lived Server answer many stateless
 * HTTP requests at once: each inbound request gets a connection-unique JSON-RPC id on the way in
 * (two callers may both use id 1) and its own id back on the way out, and carries the caller's
 * authInfo as the SDK's per-message extra. Only what a JSON response can hold is delivered: the
 * one response; notifications and server-to-client requests have no stream to travel on and are
 * dropped, as the SDK's own transport does in JSON response mode.
 */
export class SharedServerTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private sequence = 0;
  private readonly pending = new Map<number, Pending>();

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (!('id' in message) || !('result' in message || 'error' in message)) return;
    const waiting = this.pending.get(message.id as number);
    if (!waiting) return;
    this.pending.delete(message.id as number);
    waiting.resolve({ ...message, id: waiting.id } as JSONRPCMessage);
  }

  /** Dispatches one request to the connected server; resolves with its response. */
  exchange(request: JSONRPCRequest, authInfo: AuthInfo): Promise<JSONRPCMessage> {
    const internal = (this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER);
    return new Promise((resolve) => {
      this.pending.set(internal, { id: request.id, resolve });
      this.onmessage?.({ ...request, id: internal }, { authInfo });
    });
  }

  async close(): Promise<void> {
    for (const [internal, waiting] of this.pending) {
      this.pending.delete(internal);
      waiting.resolve({
        jsonrpc: '2.0',
        id: waiting.id,
        error: { code: -32603, message: 'server shutting down' },
      } as JSONRPCMessage);
    }
    this.onclose?.();
  }
}
