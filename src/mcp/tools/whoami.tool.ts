import { z } from 'zod/v4';
import { defineTool, textResult, TOOL_SCOPES } from './tool-definition';

export const whoamiTool = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Show the subject, client, scopes and expiry of the access token used for this call.',
  inputSchema: z.object({}),
  requiredScopes: [TOOL_SCOPES.read],
  annotations: { readOnlyHint: true, openWorldHint: false },
  async handler(_args, { principal }) {
    const identity = {
      subject: principal.sub,
      clientId: principal.clientId,
      scopes: principal.scope,
      expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
    };
    return textResult(
      `subject ${identity.subject}, client ${identity.clientId}, scopes "${identity.scopes.join(' ')}", ` +
        `token expires ${identity.expiresAt}`,
      identity,
    );
  },
});
