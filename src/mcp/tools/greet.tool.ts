import { z } from 'zod/v4';
import { defineTool, textResult, TOOL_SCOPES } from './tool-definition';

export const greetTool = defineTool({
  name: 'greet',
  title: 'Greet',
  description: 'Say hello to someone by name.',
  inputSchema: z.object({ name: z.string().min(1).max(200).describe('Who to greet') }),
  requiredScopes: [TOOL_SCOPES.read],
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler({ name }) {
    return textResult(`Hello, ${name}!`);
  },
});
