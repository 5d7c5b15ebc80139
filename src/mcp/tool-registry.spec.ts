import { z } from 'zod/v4';
import { ToolRegistry } from './tool-registry';
import { TOOL_DEFINITIONS } from './tools';
import { defineTool, textResult } from './tools/tool-definition';

const probe = (name: string) =>
  defineTool({
    name,
    title: name,
    description: `the ${name} tool`,
    inputSchema: z.object({ n: z.number().int() }),
    requiredScopes: ['read'],
    handler: async () => textResult('x'),
  });

describe(ToolRegistry.name, () => {
  it('should find tools by name and list them in registration order', () => {
    const sut = new ToolRegistry([probe('a'), probe('b')]);
    expect(sut.get('b')?.name).toBe('b');
    expect(sut.get('c')).toBeUndefined();
    expect(sut.list().map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('should advertise each tool with a JSON Schema and its scopes as an oauth2 security scheme', () => {
    const [descriptor] = new ToolRegistry([probe('a')]).list();
    expect(descriptor).toEqual({
      name: 'a',
      title: 'a',
      description: 'the a tool',
      inputSchema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          n: { type: 'integer', minimum: expect.any(Number), maximum: expect.any(Number) },
        },
        required: ['n'],
      },
      _meta: { securitySchemes: [{ type: 'oauth2', scopes: ['read'] }] },
    });
  });

  it('should refuse duplicate or unusable tool names', () => {
    expect(() => new ToolRegistry([probe('a'), probe('a')])).toThrow('duplicate tool a');
    expect(() => new ToolRegistry([probe('has space')])).toThrow('invalid tool name');
  });

  it('should register the shipped tools with the scopes they need', () => {
    const sut = new ToolRegistry(TOOL_DEFINITIONS);
    const scopes = Object.fromEntries(
      sut.list().map((t) => [t.name, t._meta.securitySchemes[0].scopes]),
    );
    expect(scopes).toEqual({
      greet: ['read'],
      whoami: ['read'],
      notes_add: ['write'],
      notes_list: ['read'],
    });
  });
});
