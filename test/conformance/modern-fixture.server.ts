import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  type CallToolResult,
  ProtocolError,
  ResourceNotFoundError,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import {
  callTool,
  CONFORMANCE_SERVER_INFO,
  type Extra,
  getPrompt,
  PROMPTS,
  readResource,
  RESOURCE_TEMPLATE,
  RESOURCES,
  TOOLS,
} from './legacy-fixture.server';

/** Tools that need a server-to-client request, which 2026-07-28 only offers as InputRequiredResult. */
const PUSH_TOOLS = new Set([
  'test_sampling',
  'test_elicitation',
  'test_elicitation_sep1034_defaults',
  'test_elicitation_sep1330_enums',
  'test_reconnection',
]);

/** The v1 fixture's errors, in the v2 SDK's type, so the modern encoder keeps their codes. */
async function translated<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof McpError) throw new ProtocolError(err.code, err.message, err.data);
    throw err;
  }
}

/** The handler context the shared tool code expects, over a v2 request context. */
function extraOf(ctx: ServerContext): Extra {
  const refuse = () =>
    Promise.reject(new Error('server-to-client requests need InputRequiredResult on 2026-07-28'));
  return {
    signal: new AbortController().signal,
    requestId: ctx.mcpReq.id,
    _meta: ctx.mcpReq._meta,
    sendNotification: (notification: unknown) => ctx.mcpReq.notify(notification as never),
    sendRequest: refuse,
  } as unknown as Extra;
}

/**
 * The same reference fixture for the stateless 2026-07-28 wire, on the v2 SDK's low-level Server,
 * one instance per request (the SDK's `createMcpHandler` factory): the tools, resources, prompts and
 * completion of legacy-fixture.server.ts, with the SDK adding `resultType` and the list cache hints.
 * Not implemented: InputRequiredResult (sampling and elicitation over MRTR) and
 * `subscriptions/listen`; conformance-baseline-2026-07-28.yml lists what that fails.
 */
export function createModernConformanceServer(): Server {
  const server = new Server(CONFORMANCE_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
      completions: {},
    },
  });
  const state = { subscriptions: new Set<string>() };
  server.setRequestHandler('tools/list', () => ({
    tools: TOOLS.filter((t) => !PUSH_TOOLS.has(t.name)) as never,
  }));
  server.setRequestHandler('tools/call', (request, ctx) =>
    translated(
      () =>
        callTool(
          request.params.name,
          request.params.arguments,
          extraOf(ctx),
          state,
        ) as Promise<CallToolResult>,
    ),
  );
  server.setRequestHandler('resources/list', () => ({ resources: RESOURCES }));
  server.setRequestHandler('resources/templates/list', () => ({
    resourceTemplates: [RESOURCE_TEMPLATE],
  }));
  server.setRequestHandler('resources/read', (request) =>
    translated(() => {
      try {
        return readResource(request.params.uri) as never;
      } catch (err) {
        // SEP-2164: an unknown resource is -32602 with the URI in `data`.
        if (err instanceof McpError) throw new ResourceNotFoundError(request.params.uri);
        throw err;
      }
    }),
  );
  server.setRequestHandler('prompts/list', () => ({ prompts: PROMPTS }));
  server.setRequestHandler('prompts/get', (request) =>
    translated(() => getPrompt(request.params.name, request.params.arguments) as never),
  );
  server.setRequestHandler('completion/complete', () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return server;
}
