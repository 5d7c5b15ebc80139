import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type CallToolResult,
  MissingRequiredClientCapabilityError,
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

// ---- InputRequiredResult (MRTR, SEP-2322): the suite's test_input_required_result_* tools ----

type Responses = Record<string, unknown> | undefined;
type InputRequests = Record<string, { method: string; params: Record<string, unknown> }>;

const elicit = (message: string, field: string, type = 'string') => ({
  method: 'elicitation/create',
  params: {
    message,
    requestedSchema: { type: 'object', properties: { [field]: { type } }, required: [field] },
  },
});
const INPUTS = {
  user_name: elicit('What is your name?', 'name'),
  capital_question: {
    method: 'sampling/createMessage',
    params: {
      messages: [
        { role: 'user', content: { type: 'text', text: 'What is the capital of France?' } },
      ],
      maxTokens: 100,
    },
  },
  greeting: {
    method: 'sampling/createMessage',
    params: {
      messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
      maxTokens: 50,
    },
  },
  client_roots: { method: 'roots/list', params: {} },
  confirm: elicit('Please confirm', 'ok', 'boolean'),
  step1: elicit('Step 1: What is your name?', 'name'),
  step2: elicit('Step 2: What is your favorite color?', 'color'),
  user_context: elicit('What context should the prompt use?', 'context'),
};

/** requestState is integrity-protected (HMAC-SHA256 under a per-process key), never trusted as sent. */
const STATE_KEY = randomBytes(32);
const mac = (payload: string) =>
  createHmac('sha256', STATE_KEY).update(payload).digest('base64url');
function sealState(state: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${mac(payload)}`;
}
function openState(value: unknown): Record<string, unknown> {
  const invalid = () => new ProtocolError(-32602, 'requestState failed its integrity check');
  if (typeof value !== 'string') throw invalid();
  const [payload, tag, extra] = value.split('.');
  if (!payload || !tag || extra !== undefined) throw invalid();
  const expected = Buffer.from(mac(payload));
  const given = Buffer.from(tag);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const inputRequired = (requests: InputRequests, state?: Record<string, unknown>) => ({
  resultType: 'input_required',
  inputRequests: requests,
  ...(state ? { requestState: sealState(state) } : {}),
});
const pick = (...keys: (keyof typeof INPUTS)[]): InputRequests =>
  Object.fromEntries(keys.map((k) => [k, INPUTS[k]]));
const missing = (responses: Responses, keys: (keyof typeof INPUTS)[]) =>
  keys.filter((k) => responses?.[k] === undefined);
const accepted = (responses: Responses, key: string) =>
  ((responses?.[key] as { content?: Record<string, unknown> } | undefined)?.content ??
    {}) as Record<string, unknown>;
const sampled = (responses: Responses, key: string) => {
  const content = (responses?.[key] as { content?: { type?: string; text?: string } } | undefined)
    ?.content;
  return content?.type === 'text' ? (content.text ?? '') : '';
};

/** The MRTR tools: undefined for any other name. */
function inputRequiredTool(
  name: string,
  params: { inputResponses?: Responses; requestState?: unknown },
  capabilities: Record<string, unknown> | undefined,
): unknown {
  const responses = params.inputResponses;
  switch (name) {
    case 'test_input_required_result_elicitation':
      if (missing(responses, ['user_name']).length) return inputRequired(pick('user_name'));
      return text(`Hello, ${String(accepted(responses, 'user_name').name ?? '')}!`);
    case 'test_input_required_result_sampling':
      if (missing(responses, ['capital_question']).length)
        return inputRequired(pick('capital_question'));
      return text(`The model said: ${sampled(responses, 'capital_question')}`);
    case 'test_input_required_result_list_roots': {
      if (missing(responses, ['client_roots']).length) return inputRequired(pick('client_roots'));
      const roots = (responses?.client_roots as { roots?: { uri: string }[] }).roots ?? [];
      return text(`Roots: ${roots.map((r) => r.uri).join(', ')}`);
    }
    case 'test_input_required_result_request_state':
    case 'test_input_required_result_tampered_state': {
      if (params.requestState === undefined || missing(responses, ['confirm']).length)
        return inputRequired(pick('confirm'), { tool: name, round: 1 });
      const state = openState(params.requestState);
      if (state.tool !== name)
        throw new ProtocolError(-32602, 'requestState is for another request');
      return text(`state-ok: confirmed=${String(accepted(responses, 'confirm').ok)}`);
    }
    case 'test_input_required_result_multiple_inputs': {
      const keys: (keyof typeof INPUTS)[] = ['user_name', 'greeting', 'client_roots'];
      if (params.requestState === undefined) return inputRequired(pick(...keys), { tool: name });
      openState(params.requestState);
      const absent = missing(responses, keys);
      if (absent.length) return inputRequired(pick(...absent), { tool: name });
      return text(
        `${sampled(responses, 'greeting')} ${String(accepted(responses, 'user_name').name ?? '')}`,
      );
    }
    case 'test_input_required_result_multi_round': {
      if (params.requestState === undefined)
        return inputRequired(pick('step1'), { tool: name, round: 1 });
      const state = openState(params.requestState);
      if (state.round === 1) {
        if (missing(responses, ['step1']).length) return inputRequired(pick('step1'), state);
        const person = String(accepted(responses, 'step1').name ?? '');
        return inputRequired(pick('step2'), { tool: name, round: 2, name: person });
      }
      if (missing(responses, ['step2']).length) return inputRequired(pick('step2'), state);
      return text(
        `${String(state.name)} likes ${String(accepted(responses, 'step2').color ?? '')}`,
      );
    }
    // SEP-2575 diagnostics of `server-stateless`.
    case 'test_missing_capability':
      if (!capabilities?.sampling)
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { sampling: {} } });
      return inputRequired(pick('capital_question'));
    case 'test_streaming_elicitation':
      // The only server-to-client request on this wire is an InputRequiredResult, never a push.
      if (missing(responses, ['user_name']).length) return inputRequired(pick('user_name'));
      return text(`Hello, ${String(accepted(responses, 'user_name').name ?? '')}!`);
    case 'test_input_required_result_capabilities': {
      const wanted: (keyof typeof INPUTS)[] = [];
      if (capabilities?.elicitation) wanted.push('user_name');
      if (capabilities?.sampling) wanted.push('capital_question');
      if (capabilities?.roots) wanted.push('client_roots');
      if (!wanted.length) return text('No client capability to ask through.');
      if (missing(responses, wanted).length) return inputRequired(pick(...wanted));
      return text('Thanks for the input.');
    }
  }
  return undefined;
}

const MRTR_TOOLS = [
  'test_input_required_result_elicitation',
  'test_input_required_result_sampling',
  'test_input_required_result_list_roots',
  'test_input_required_result_request_state',
  'test_input_required_result_tampered_state',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_multi_round',
  'test_input_required_result_capabilities',
  'test_missing_capability',
  'test_streaming_elicitation',
].map((name) => ({
  name,
  description: `InputRequiredResult conformance tool (${name.slice('test_input_required_result_'.length)})`,
  inputSchema: { type: 'object' as const, properties: {} },
}));
const MRTR_PROMPT = {
  name: 'test_input_required_result_prompt',
  description: 'A prompt that needs elicitation input first (InputRequiredResult)',
};
/** The retry's input responses and echoed state, as the SDK hands them to a handler. */
const mrtrParams = (ctx: ServerContext) => ({
  inputResponses: ctx.mcpReq.inputResponses,
  requestState: ctx.mcpReq.requestState(),
});
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

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
 * InputRequiredResult (MRTR) has its own test_input_required_result_* tools and prompt; the
 * 2025-era push tools (sampling, elicitation mid-call) are not listed. Not implemented:
 * `subscriptions/listen` (not required by the 2026-07-28 requirements).
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
    tools: [
      ...TOOLS.filter((t) => !PUSH_TOOLS.has(t.name)),
      ...MRTR_TOOLS,
      {
        name: 'test_logging_tool',
        description: 'Logs one message',
        inputSchema: { type: 'object', properties: {} },
      },
    ] as never,
  }));
  server.setRequestHandler('tools/call', async (request, ctx) => {
    if (request.params.name === 'test_logging_tool') {
      // Sent only when the request's _meta asked for a log level (the SDK drops it otherwise).
      await ctx.mcpReq.log('info', 'test_logging_tool ran', 'conformance-test-server');
      return text('Logging tool executed');
    }
    return translated(
      () =>
        (inputRequiredTool(
          request.params.name,
          mrtrParams(ctx),
          server.getClientCapabilities() as Record<string, unknown> | undefined,
        ) as CallToolResult | undefined) ??
        (callTool(
          request.params.name,
          request.params.arguments,
          extraOf(ctx),
          state,
        ) as Promise<CallToolResult>),
    );
  });
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
  server.setRequestHandler('prompts/list', () => ({ prompts: [...PROMPTS, MRTR_PROMPT] }));
  server.setRequestHandler('prompts/get', (request, ctx) =>
    translated(() => {
      if (request.params.name === MRTR_PROMPT.name) {
        const responses = ctx.mcpReq.inputResponses;
        if (missing(responses, ['user_context']).length)
          return inputRequired(pick('user_context')) as never;
        const context = String(accepted(responses, 'user_context').context ?? '');
        return {
          messages: [{ role: 'user', content: { type: 'text', text: `Context: ${context}` } }],
        } as never;
      }
      return getPrompt(request.params.name, request.params.arguments) as never;
    }),
  );
  server.setRequestHandler('completion/complete', () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return server;
}
