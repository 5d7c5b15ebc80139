import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AuditService } from 'src/audit/audit.service';
import type { Principal } from 'src/bearer/principal.decorator';
import { missingScopes } from 'src/bearer/scope-check';
import { Clock } from 'src/common/clock';
import type { ZodError } from 'zod/v4';
import { NotesRepository } from './notes.repository';
import { ToolRegistry } from './tool-registry';
import type { ToolDefinition, ToolResult } from './tools/tool-definition';
import { isDatabaseUnavailable } from 'src/database/database-errors';

/** Where a call came from, for the audit trail. */
export interface ToolCallOrigin {
  transport: 'mcp' | 'rest';
  ip?: string | null;
  userAgent?: string | null;
}

export type ToolCallOutcome =
  | { status: 'ok'; result: ToolResult }
  | { status: 'unknown_tool' }
  | { status: 'insufficient_scope'; required: readonly string[] }
  /** `fields`: the argument names that failed validation (never their values). */
  | { status: 'invalid_arguments'; fields: string[] };

/** `tool_error`: the handler returned an isError result; `error`: it threw. */
type FailureReason = Exclude<ToolCallOutcome['status'], 'ok'> | 'tool_error' | 'error';

/**
 * Runs one tool call for either transport: lookup, scope check, argument validation, handler,
 * and exactly one `tool.called` audit event (outcome, tool, duration; never the arguments).
 * A handler exception is audited, then rethrown for the transport to report generically.
 */
@Injectable()
export class ToolRunner {
  private readonly logger = new Logger(ToolRunner.name);

  constructor(
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    private readonly notes: NotesRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async call(
    name: string,
    args: unknown,
    principal: Principal,
    origin: ToolCallOrigin,
  ): Promise<ToolCallOutcome> {
    const started = performance.now();
    const audited = (outcome: ToolCallOutcome): ToolCallOutcome => {
      const failure =
        outcome.status !== 'ok'
          ? outcome.status
          : outcome.result.isError
            ? 'tool_error'
            : undefined;
      this.record(name, principal, origin, started, failure);
      return outcome;
    };

    const tool = this.registry.get(name);
    if (!tool) return audited({ status: 'unknown_tool' });
    // The transports check scopes before dispatch (HTTP 403); this is the backstop.
    if (missingScopes(principal.scope, tool.requiredScopes).length > 0) {
      return audited({ status: 'insufficient_scope', required: tool.requiredScopes });
    }
    const parsed = tool.inputSchema.safeParse(args ?? {});
    if (!parsed.success)
      return audited({ status: 'invalid_arguments', fields: fieldNames(parsed.error) });

    try {
      return audited({ status: 'ok', result: await this.run(tool, parsed.data, principal) });
    } catch (err) {
      this.record(name, principal, origin, started, 'error');
      // An unavailable database is logged once per outage (DatabaseAvailability), not per call.
      if (!isDatabaseUnavailable(err))
        this.logger.error({
          msg: 'tool failed',
          tool: tool.name,
          error: err instanceof Error ? err.name : 'unknown',
        });
      throw err;
    }
  }

  /** Audits a call refused before dispatch (HTTP 403 from ToolScopeGuard). */
  recordRefusal(name: string, principal: Principal, origin: ToolCallOrigin): void {
    this.record(name, principal, origin, performance.now(), 'insufficient_scope');
  }

  private run(tool: ToolDefinition, args: unknown, principal: Principal): Promise<ToolResult> {
    return tool.handler(args as never, {
      principal,
      notes: this.notes,
      now: () => this.clock.now(),
    });
  }

  private record(
    tool: string,
    principal: Principal,
    origin: ToolCallOrigin,
    started: number,
    failure: FailureReason | undefined,
  ): void {
    this.audit.record({
      type: 'tool.called',
      outcome: failure ? 'failure' : 'success',
      userId: principal.sub,
      clientId: principal.clientId,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
      details: {
        // A client-supplied name of an unknown tool is bounded before it reaches the trail.
        tool: tool.slice(0, 64),
        transport: origin.transport,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(failure ? { reason: failure } : {}),
      },
    });
  }
}

/** Top-level argument names from a zod error ("(root)" when the arguments are not an object). */
function fieldNames(error: ZodError): string[] {
  const names = error.issues.map((issue) => (issue.path.length ? String(issue.path[0]) : '(root)'));
  return [...new Set(names)];
}
