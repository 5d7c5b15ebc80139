/* Just enough JSON-RPC 2.0 inspection to act on a POST /mcp body before the SDK sees it. */

type JsonRpcId = string | number | null;

interface JsonRpcRequestShape {
  method: string;
  id?: unknown;
  params?: unknown;
}

function asRequests(body: unknown): JsonRpcRequestShape[] {
  // 2025-03-26 allowed batches; the SDK still accepts them, so inspect every element.
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter(
    (m): m is JsonRpcRequestShape =>
      typeof m === 'object' && m !== null && typeof (m as { method?: unknown }).method === 'string',
  );
}

/** The tool names of every `tools/call` in the body (unvalidated: the SDK rejects bad shapes). */
export function toolCallNames(body: unknown): string[] {
  return asRequests(body)
    .filter((m) => m.method === 'tools/call')
    .map((m) => (m.params as { name?: unknown } | undefined)?.name)
    .filter((name): name is string => typeof name === 'string');
}

/**
 * The id of a `server/discover` request (MCP 2026-07-28), or undefined. This endpoint speaks the
 * 2025-11-25 wire only; v2 clients in auto mode fall back to `initialize` on a 404 with -32601
 * (docs/mcp.md §1 item 34).
 */
export function discoverRequestId(body: unknown): JsonRpcId | undefined {
  if (Array.isArray(body)) return undefined;
  const [request] = asRequests(body);
  if (request?.method !== 'server/discover') return undefined;
  const { id } = request;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

export const JSON_RPC_METHOD_NOT_FOUND = -32601;
/** The SDK's code for transport-level refusals (e.g. "Method not allowed."). */
export const JSON_RPC_SERVER_ERROR = -32000;

export function jsonRpcError(id: JsonRpcId, code: number, message: string) {
  return { jsonrpc: '2.0' as const, id, error: { code, message } };
}
