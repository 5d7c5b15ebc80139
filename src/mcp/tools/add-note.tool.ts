import { z } from 'zod/v4';
import { defineTool, textResult, TOOL_SCOPES } from './tool-definition';

export const NOTE_MAX_LENGTH = 2000;

export const addNoteTool = defineTool({
  name: 'notes_add',
  title: 'Add a note',
  description: 'Save a short text note for the signed-in user.',
  inputSchema: z.object({
    text: z.string().min(1).max(NOTE_MAX_LENGTH).describe('The note, 1 to 2000 characters'),
  }),
  requiredScopes: [TOOL_SCOPES.write],
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  async handler({ text }, { principal, notes }) {
    const note = await notes.add(principal.sub, text);
    const saved = { id: note.id, text: note.text, createdAt: note.createdAt.toISOString() };
    return textResult(`Saved note ${note.id}.`, saved);
  },
});
