import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { BearerChallenges } from 'src/bearer/bearer-challenges';
import { principalOf } from 'src/bearer/principal.decorator';
import { missingScopes } from 'src/bearer/scope-check';
import { toolCallNames } from './json-rpc';
import { toolCallOrigin } from './tool-call-origin';
import { ToolRegistry } from './tool-registry';
import { ToolRunner } from './tool-runner.service';

/**
 * Per-tool scopes, checked before dispatch so that a call the token may not make is an HTTP 403
 * with an insufficient_scope challenge, the signal MCP clients step up on (docs/mcp.md §3.4). Runs
 * after the global BearerTokenGuard. The tool names come from `:name` (REST mirror) or from the
 * JSON-RPC `tools/call` requests in the body (MCP). Unknown tools pass: the handler reports them.
 */
@Injectable()
export class ToolScopeGuard implements CanActivate {
  constructor(
    @Inject(ToolRegistry) private readonly registry: ToolRegistry,
    private readonly challenges: BearerChallenges,
    private readonly runner: ToolRunner,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    if (!principal) throw this.challenges.missingToken();
    const param = req.params?.name;
    const names = typeof param === 'string' ? [param] : toolCallNames(req.body);
    const required = names.flatMap((name) => this.registry.get(name)?.requiredScopes ?? []);
    if (missingScopes(principal.scope, required).length === 0) return true;

    const origin = toolCallOrigin(req, typeof param === 'string' ? 'rest' : 'mcp');
    for (const name of names) {
      const tool = this.registry.get(name);
      if (tool && missingScopes(principal.scope, tool.requiredScopes).length > 0) {
        this.runner.recordRefusal(name, principal, origin);
      }
    }
    throw this.challenges.insufficientScope(principal.scope, required);
  }
}
