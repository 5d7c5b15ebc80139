import { addNoteTool } from './add-note.tool';
import { greetTool } from './greet.tool';
import { listNotesTool } from './list-notes.tool';
import type { ToolDefinition } from './tool-definition';
import { whoamiTool } from './whoami.tool';

/** Every tool this server offers, over MCP and the REST mirror. Add a tool: add its file here. */
export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  greetTool,
  whoamiTool,
  addNoteTool,
  listNotesTool,
];
