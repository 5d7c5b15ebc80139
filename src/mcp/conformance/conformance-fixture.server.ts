import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CallToolResult,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitRequest,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResult,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  Prompt,
  ReadResourceRequestSchema,
  ReadResourceResult,
  Resource,
  ServerNotification,
  ServerRequest,
  SubscribeRequestSchema,
  Tool,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * The reference fixture of the MCP conformance suite ("everything server": tools, resources, prompts,
 * logging, completion), rebuilt on the SDK's McpServer for `conformance server` (docs/mcp.md §4.3). Names
 * and payloads follow modelcontextprotocol/conformance examples/servers/typescript/everything-server.ts
 * and the scenario descriptions in @modelcontextprotocol/conformance 0.2.0-alpha.12. Handlers are set
 * on the underlying Server with the SDK's request schemas, so the fixture needs no zod of its own.
 *
 * Test only: nothing here knows about users or tokens; McpConformanceFixtureModule mounts it, without
 * authentication, on loopback hosts, and only when MCP_CONFORMANCE_FIXTURE=true (never in production).
 */

export const CONFORMANCE_SERVER_INFO = { name: 'mcp-conformance-test-server', version: '1.0.0' };

/** 1×1 red PNG and a minimal WAV, the suite's sample media. */
export const TEST_IMAGE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
export const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Per-session state the handlers share (subscriptions survive across the session's requests). */
export interface ConformanceSessionState {
  subscriptions: Set<string>;
  /** Closes the SSE stream of a request so the client reconnects (SEP-1699 polling). */
  closeRequestStream?: (requestId: string | number) => void;
}

const EMPTY_OBJECT_SCHEMA: Tool['inputSchema'] = { type: 'object', properties: {} };

/** SEP-1613/SEP-2106: a raw JSON Schema 2020-12 inputSchema that SDKs must pass through untouched. */
const JSON_SCHEMA_2020_12_INPUT_SCHEMA: Tool['inputSchema'] = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

const stringArgSchema = (name: string, description: string): Tool['inputSchema'] => ({
  type: 'object',
  properties: { [name]: { type: 'string', description } },
  required: [name],
});

const TOOLS: Tool[] = [
  {
    name: 'test_simple_text',
    description: 'Tests simple text content response',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_image_content',
    description: 'Tests image content response',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_audio_content',
    description: 'Tests audio content response',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_embedded_resource',
    description: 'Tests embedded resource content response',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_multiple_content_types',
    description: 'Tests response with multiple content types (text, image, resource)',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_tool_with_logging',
    description: 'Tests tool that emits log messages during execution',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_tool_with_progress',
    description: 'Tests tool that reports progress notifications',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_error_handling',
    description: 'Tests error response handling',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_reconnection',
    description:
      'Tests SSE stream disconnection and client reconnection (SEP-1699). Server will close the stream mid-call and send the result after client reconnects.',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_sampling',
    description: 'Tests server-initiated sampling (LLM completion request)',
    inputSchema: stringArgSchema('prompt', 'The prompt to send to the LLM'),
  },
  {
    name: 'test_elicitation',
    description: 'Tests server-initiated elicitation (user input request)',
    inputSchema: stringArgSchema('message', 'The message to show the user'),
  },
  {
    name: 'test_elicitation_sep1034_defaults',
    description: 'Tests elicitation with default values per SEP-1034',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'test_elicitation_sep1330_enums',
    description: 'Tests elicitation with enum schema improvements per SEP-1330',
    inputSchema: EMPTY_OBJECT_SCHEMA,
  },
  {
    name: 'json_schema_2020_12_tool',
    description: 'Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)',
    inputSchema: JSON_SCHEMA_2020_12_INPUT_SCHEMA,
  },
];

const RESOURCES: Resource[] = [
  {
    uri: 'test://static-text',
    name: 'static-text',
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain',
  },
  {
    uri: 'test://static-binary',
    name: 'static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (image) for testing',
    mimeType: 'image/png',
  },
  {
    uri: 'test://watched-resource',
    name: 'watched-resource',
    title: 'Watched Resource',
    description: 'A resource that auto-updates every 3 seconds',
    mimeType: 'text/plain',
  },
];

const RESOURCE_TEMPLATE = {
  uriTemplate: 'test://template/{id}/data',
  name: 'template',
  title: 'Resource Template',
  description: 'A resource template with parameter substitution',
  mimeType: 'application/json',
};
const TEMPLATE_PATTERN = /^test:\/\/template\/([^/]+)\/data$/;

const PROMPTS: Prompt[] = [
  {
    name: 'test_simple_prompt',
    title: 'Simple Test Prompt',
    description: 'A simple prompt without arguments',
  },
  {
    name: 'test_prompt_with_arguments',
    title: 'Prompt With Arguments',
    description: 'A prompt with required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true },
      { name: 'arg2', description: 'Second test argument', required: true },
    ],
  },
  {
    name: 'test_prompt_with_embedded_resource',
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that includes an embedded resource',
    arguments: [
      { name: 'resourceUri', description: 'URI of the resource to embed', required: true },
    ],
  },
  {
    name: 'test_prompt_with_image',
    title: 'Prompt With Image',
    description: 'A prompt that includes image content',
  },
];

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

function stringArg(args: Record<string, unknown> | undefined, name: string): string {
  const value = args?.[name];
  if (typeof value !== 'string') {
    throw new McpError(ErrorCode.InvalidParams, `Invalid arguments: ${name} must be a string`);
  }
  return value;
}

async function elicit(
  extra: Extra,
  params: ElicitRequest['params'],
  label: string,
): Promise<CallToolResult> {
  try {
    const result = await extra.sendRequest(
      { method: 'elicitation/create', params },
      ElicitResultSchema,
    );
    return text(
      `${label}: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
    );
  } catch (err) {
    return text(`Elicitation not supported or error: ${errorMessage(err)}`);
  }
}

async function callTool(
  name: string,
  args: Record<string, unknown> | undefined,
  extra: Extra,
  state: ConformanceSessionState,
): Promise<CallToolResult> {
  switch (name) {
    case 'test_simple_text':
      return text('This is a simple text response for testing.');
    case 'test_image_content':
      return { content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }] };
    case 'test_audio_content':
      return { content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }] };
    case 'test_embedded_resource':
      return {
        content: [
          {
            type: 'resource',
            resource: {
              uri: 'test://embedded-resource',
              mimeType: 'text/plain',
              text: 'This is an embedded resource content.',
            },
          },
        ],
      };
    case 'test_multiple_content_types':
      return {
        content: [
          { type: 'text', text: 'Multiple content types test:' },
          { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
          {
            type: 'resource',
            resource: {
              uri: 'test://mixed-content-resource',
              mimeType: 'application/json',
              text: JSON.stringify({ test: 'data', value: 123 }),
            },
          },
        ],
      };
    case 'test_tool_with_logging': {
      const steps = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
      for (const [i, data] of steps.entries()) {
        if (i > 0) await sleep(50);
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data },
        });
      }
      return text('Tool with logging executed successfully');
    }
    case 'test_tool_with_progress': {
      const progressToken = extra._meta?.progressToken ?? 0;
      for (const [i, progress] of [0, 50, 100].entries()) {
        if (i > 0) await sleep(50);
        await extra.sendNotification({
          method: 'notifications/progress',
          params: {
            progressToken,
            progress,
            total: 100,
            message: `Completed step ${progress} of 100`,
          },
        });
      }
      return text(String(progressToken));
    }
    case 'test_error_handling':
      return {
        content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
        isError: true,
      };
    case 'test_reconnection':
      state.closeRequestStream?.(extra.requestId);
      await sleep(100);
      return text(
        'Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.',
      );
    case 'test_sampling': {
      const prompt = stringArg(args, 'prompt');
      try {
        const result = await extra.sendRequest(
          {
            method: 'sampling/createMessage',
            params: {
              messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
              maxTokens: 100,
            },
          },
          CreateMessageResultSchema,
        );
        const reply = result.content.type === 'text' ? result.content.text : 'No response';
        return text(`LLM response: ${reply}`);
      } catch (err) {
        return text(`Sampling not supported or error: ${errorMessage(err)}`);
      }
    }
    case 'test_elicitation':
      return elicit(
        extra,
        {
          message: stringArg(args, 'message'),
          requestedSchema: {
            type: 'object',
            properties: { response: { type: 'string', description: "User's response" } },
            required: ['response'],
          },
        },
        'User response',
      );
    case 'test_elicitation_sep1034_defaults':
      return elicit(
        extra,
        {
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: {
                type: 'string',
                description: 'User status',
                enum: ['active', 'inactive', 'pending'],
                default: 'active',
              },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        },
        'Elicitation completed',
      );
    case 'test_elicitation_sep1330_enums':
      return elicit(
        extra,
        {
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: {
                type: 'string',
                description: 'Select one option',
                enum: ['option1', 'option2', 'option3'],
              },
              titledSingle: {
                type: 'string',
                description: 'Select one option with titles',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: {
                type: 'string',
                description: 'Select one option (legacy)',
                enum: ['opt1', 'opt2', 'opt3'],
                enumNames: ['Option One', 'Option Two', 'Option Three'],
              },
              untitledMulti: {
                type: 'array',
                description: 'Select multiple options',
                minItems: 1,
                maxItems: 3,
                items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              },
              titledMulti: {
                type: 'array',
                description: 'Select multiple options with titles',
                minItems: 1,
                maxItems: 3,
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        },
        'Elicitation completed',
      );
    case 'json_schema_2020_12_tool':
      return text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args ?? {})}`);
    default:
      throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  }
}

function readResource(uri: string): ReadResourceResult {
  switch (uri) {
    case 'test://static-text':
      return {
        contents: [
          { uri, mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
        ],
      };
    case 'test://static-binary':
      return { contents: [{ uri, mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] };
    case 'test://watched-resource':
      return { contents: [{ uri, mimeType: 'text/plain', text: 'Watched resource content' }] };
  }
  const match = TEMPLATE_PATTERN.exec(uri);
  if (match) {
    const id = decodeURIComponent(match[1]);
    return {
      contents: [
        {
          uri,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    };
  }
  throw new McpError(ErrorCode.InvalidParams, `Resource ${uri} not found`);
}

function getPrompt(name: string, args: Record<string, string> | undefined): GetPromptResult {
  const prompt = PROMPTS.find((p) => p.name === name);
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Prompt ${name} not found`);
  for (const arg of prompt.arguments ?? []) {
    if (arg.required && typeof args?.[arg.name] !== 'string') {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid arguments for prompt ${name}: ${arg.name} is required`,
      );
    }
  }
  switch (name) {
    case 'test_prompt_with_arguments':
      return {
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Prompt with arguments: arg1='${args?.arg1}', arg2='${args?.arg2}'`,
            },
          },
        ],
      };
    case 'test_prompt_with_embedded_resource':
      return {
        messages: [
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: {
                uri: args!.resourceUri,
                mimeType: 'text/plain',
                text: 'Embedded resource content for testing.',
              },
            },
          },
          {
            role: 'user',
            content: { type: 'text', text: 'Please process the embedded resource above.' },
          },
        ],
      };
    case 'test_prompt_with_image':
      return {
        messages: [
          {
            role: 'user',
            content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
          },
          { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
        ],
      };
    default:
      return {
        messages: [
          { role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } },
        ],
      };
  }
}

/** A fresh fixture server for one session. */
export function createConformanceServer(state: ConformanceSessionState): McpServer {
  const mcp = new McpServer(CONFORMANCE_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
  });
  const server = mcp.server;
  const log = (data: string) =>
    server
      .sendLoggingMessage({ level: 'info', logger: 'conformance-test-server', data })
      .catch(() => undefined);

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(request.params.name, request.params.arguments, extra, state),
  );

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [RESOURCE_TEMPLATE],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    readResource(request.params.uri),
  );
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    state.subscriptions.add(request.params.uri);
    void log(`Subscribed to resource: ${request.params.uri}`);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    state.subscriptions.delete(request.params.uri);
    void log(`Unsubscribed from resource: ${request.params.uri}`);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    getPrompt(request.params.name, request.params.arguments),
  );

  // Basic completion support: an empty list is a valid answer (the reference fixture's too).
  server.setRequestHandler(CompleteRequestSchema, () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return mcp;
}
