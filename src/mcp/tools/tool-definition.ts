import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type { Principal } from 'src/bearer/principal.decorator';
// The SDK validates with zod 4 through 'zod/v4'; importing the same path keeps one zod instance.
import type { z } from 'zod/v4';
import type { NotesStore } from '../notes.repository';

/** Scopes the tools require (the same strings the AS issues; see SCOPE_DESCRIPTIONS). */
export const TOOL_SCOPES = { read: 'read', write: 'write' } as const;
export type ToolScope = (typeof TOOL_SCOPES)[keyof typeof TOOL_SCOPES];

/** What a tool handler may use: who is calling, and the stores it works on. */
export interface ToolContext {
  principal: Principal;
  notes: NotesStore;
  now(): Date;
}

export type ToolResult = CallToolResult;

/** One tool = one file in src/mcp/tools/<verb-noun>.tool.ts exporting one of these. */
export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** Validated before the handler runs; a failure is a tool error, never a 500. */
  inputSchema: S;
  /** Every scope the token needs; checked before dispatch (403 insufficient_scope otherwise). */
  requiredScopes: readonly ToolScope[];
  annotations?: ToolAnnotations;
  handler(args: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** Identity function that keeps the handler's argument type tied to its schema. */
export function defineTool<S extends z.ZodObject>(
  definition: ToolDefinition<S>,
): ToolDefinition<S> {
  return definition;
}

/** A plain-text result with the same data as structured content. */
export function textResult(text: string, structuredContent?: Record<string, unknown>): ToolResult {
  return structuredContent
    ? { content: [{ type: 'text', text }], structuredContent }
    : { content: [{ type: 'text', text }] };
}
