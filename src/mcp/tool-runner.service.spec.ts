import { Logger } from '@nestjs/common';
import { z } from 'zod/v4';
import type { AuditRecord } from 'src/audit/audit-event-types';
import type { AuditService } from 'src/audit/audit.service';
import type { Principal } from 'src/bearer/principal.decorator';
import { Clock } from 'src/common/clock';
import type { Note } from './note.entity';
import type { NotesRepository, NotesStore } from './notes.repository';
import { ToolRegistry } from './tool-registry';
import { ToolRunner } from './tool-runner.service';
import { TOOL_DEFINITIONS } from './tools';
import { defineTool } from './tools/tool-definition';

class FixedClock extends Clock {
  private current = new Date('2026-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

class InMemoryNotes implements NotesStore {
  private readonly notes: Note[] = [];
  private seq = 0;
  constructor(private readonly clock: FixedClock) {}

  async add(owner: string, text: string): Promise<Note> {
    this.clock.advance(1);
    const note = { id: `note-${++this.seq}`, owner, text, createdAt: this.clock.now() };
    this.notes.push(note);
    return note;
  }

  async listByOwner(owner: string, limit: number): Promise<Note[]> {
    return this.notes
      .filter((n) => n.owner === owner)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit);
  }
}

const principal = (sub: string, scope: string[]): Principal => ({
  sub,
  clientId: 'client-1',
  scope,
  jti: 'jti',
  expiresAt: Date.parse('2026-01-01T01:00:00Z') / 1000,
  audience: 'http://127.0.0.1:8000/mcp',
});

const exploding = defineTool({
  name: 'explode',
  title: 'Explode',
  description: 'always throws',
  inputSchema: z.object({}),
  requiredScopes: [],
  handler: async () => {
    throw new Error('secret internals');
  },
});

describe(ToolRunner.name, () => {
  const origin = { transport: 'mcp' as const, ip: '127.0.0.1', userAgent: 'jest' };
  let sut: ToolRunner;
  let events: AuditRecord[];

  beforeEach(() => {
    const clock = new FixedClock();
    events = [];
    const audit = { record: (e: AuditRecord) => events.push(e) } as unknown as AuditService;
    const notes = new InMemoryNotes(clock) as unknown as NotesRepository;
    sut = new ToolRunner(new ToolRegistry([...TOOL_DEFINITIONS, exploding]), notes, clock, audit);
  });

  it('should run a tool and audit one successful call without its arguments', async () => {
    const outcome = await sut.call('greet', { name: 'Ada' }, principal('user-1', ['read']), origin);
    expect(outcome).toEqual({
      status: 'ok',
      result: { content: [{ type: 'text', text: 'Hello, Ada!' }] },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      type: 'tool.called',
      outcome: 'success',
      userId: 'user-1',
      clientId: 'client-1',
      ip: '127.0.0.1',
      userAgent: 'jest',
      details: { tool: 'greet', transport: 'mcp', durationMs: expect.any(Number) },
    });
    expect(JSON.stringify(events)).not.toContain('Ada');
  });

  it('should report invalid arguments by name, never running the handler', async () => {
    const outcome = await sut.call(
      'notes_add',
      { text: '' },
      principal('user-1', ['write']),
      origin,
    );
    expect(outcome).toEqual({ status: 'invalid_arguments', fields: ['text'] });
    expect(events[0]).toMatchObject({
      outcome: 'failure',
      details: { tool: 'notes_add', reason: 'invalid_arguments' },
    });
  });

  it('should treat arguments that are not an object as invalid', async () => {
    expect(await sut.call('greet', ['Ada'], principal('u', ['read']), origin)).toEqual({
      status: 'invalid_arguments',
      fields: ['(root)'],
    });
  });

  it('should refuse a tool whose scopes the token lacks', async () => {
    const outcome = await sut.call(
      'notes_add',
      { text: 'x' },
      principal('user-1', ['read']),
      origin,
    );
    expect(outcome).toEqual({ status: 'insufficient_scope', required: ['write'] });
    expect(events[0]).toMatchObject({
      outcome: 'failure',
      details: { reason: 'insufficient_scope' },
    });
  });

  it('should report an unknown tool and audit it', async () => {
    expect(await sut.call('nope', {}, principal('u', ['read']), origin)).toEqual({
      status: 'unknown_tool',
    });
    expect(events[0]).toMatchObject({
      outcome: 'failure',
      details: { tool: 'nope', reason: 'unknown_tool' },
    });
  });

  it('should audit a handler exception as a failure and rethrow it', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(sut.call('explode', {}, principal('u', []), origin)).rejects.toThrow(
      'secret internals',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'failure',
      details: { tool: 'explode', reason: 'error' },
    });
  });

  it('should keep notes per subject, newest first, up to the limit', async () => {
    const alice = principal('alice', ['read', 'write']);
    await sut.call('notes_add', { text: 'first' }, alice, origin);
    await sut.call('notes_add', { text: 'second' }, alice, origin);
    await sut.call('notes_add', { text: 'bob note' }, principal('bob', ['write']), origin);

    const all = await sut.call('notes_list', {}, alice, origin);
    expect(all.status === 'ok' && all.result.structuredContent).toEqual({
      notes: [
        { id: 'note-2', text: 'second', createdAt: '2026-01-01T00:00:02.000Z' },
        { id: 'note-1', text: 'first', createdAt: '2026-01-01T00:00:01.000Z' },
      ],
    });
    const one = await sut.call('notes_list', { limit: 1 }, alice, origin);
    expect(one.status === 'ok' && one.result.structuredContent).toEqual({
      notes: [{ id: 'note-2', text: 'second', createdAt: '2026-01-01T00:00:02.000Z' }],
    });
  });

  it('should bound note text to 2000 characters', async () => {
    const writer = principal('alice', ['write']);
    expect((await sut.call('notes_add', { text: 'x'.repeat(2000) }, writer, origin)).status).toBe(
      'ok',
    );
    expect((await sut.call('notes_add', { text: 'x'.repeat(2001) }, writer, origin)).status).toBe(
      'invalid_arguments',
    );
  });

  it('should tell the caller who they are', async () => {
    const outcome = await sut.call('whoami', {}, principal('alice', ['read']), origin);
    expect(outcome.status === 'ok' && outcome.result.structuredContent).toEqual({
      subject: 'alice',
      clientId: 'client-1',
      scopes: ['read'],
      expiresAt: '2026-01-01T01:00:00.000Z',
    });
  });
});
