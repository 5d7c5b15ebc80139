import { z } from 'zod/v4';
import { defineTool, textResult, TOOL_SCOPES } from './tool-definition';

export const NOTES_LIST_MAX = 100;

export const listNotesTool = defineTool({
  name: 'notes_list',
  title: 'List notes',
  description: "List the signed-in user's notes, newest first.",
  inputSchema: z.object({
    limit: z
      .number()
      .int()
      .min(1)
      .max(NOTES_LIST_MAX)
      .default(20)
      .describe('How many notes, 1 to 100'),
  }),
  requiredScopes: [TOOL_SCOPES.read],
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler({ limit }, { principal, notes }) {
    const found = await notes.listByOwner(principal.sub, limit);
    const items = found.map((n) => ({
      id: n.id,
      text: n.text,
      createdAt: n.createdAt.toISOString(),
    }));
    const text = items.length
      ? items.map((n) => `- ${n.text} (${n.createdAt})`).join('\n')
      : 'No notes yet.';
    return textResult(text, { notes: items });
  },
});
