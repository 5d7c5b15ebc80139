import type { Tool } from '@modelcontextprotocol/server';
import { z } from 'zod/v4';
import type { ToolDefinition } from './tools/tool-definition';

/** A tool as advertised by tools/list and GET /tools. */
export interface ToolDescriptor extends Tool {
  _meta: { securitySchemes: { type: 'oauth2'; scopes: string[] }[] };
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The tools, by name, with their JSON Schemas computed once at start-up (the SDK would convert
 * the zod schemas on every tools/list; docs/architecture.md §5 counts that cost).
 */
export class ToolRegistry {
  private readonly byName = new Map<string, ToolDefinition>();
  private readonly descriptors: ToolDescriptor[];

  constructor(definitions: readonly ToolDefinition[]) {
    for (const definition of definitions) {
      if (!TOOL_NAME.test(definition.name)) throw new Error(`invalid tool name ${definition.name}`);
      if (this.byName.has(definition.name)) throw new Error(`duplicate tool ${definition.name}`);
      this.byName.set(definition.name, definition);
    }
    this.descriptors = definitions.map(describe);
  }

  get(name: string): ToolDefinition | undefined {
    return this.byName.get(name);
  }

  /** Descriptors in registration order; treat as read-only. */
  list(): readonly ToolDescriptor[] {
    return this.descriptors;
  }
}

function describe(definition: ToolDefinition): ToolDescriptor {
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    // draft-07 with io 'input', as the SDK's own conversion produces (zod-json-schema-compat).
    inputSchema: z.toJSONSchema(definition.inputSchema, {
      target: 'draft-7',
      io: 'input',
    }) as Tool['inputSchema'],
    ...(definition.annotations ? { annotations: definition.annotations } : {}),
    // Per-tool scopes, the shape OpenAI Apps SDK / MCP hosts read to plan a step-up.
    _meta: { securitySchemes: [{ type: 'oauth2', scopes: [...definition.requiredScopes] }] },
  };
}
