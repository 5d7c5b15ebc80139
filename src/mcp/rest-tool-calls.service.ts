import { Injectable } from '@nestjs/common';
import { BearerChallenges } from 'src/bearer/bearer-challenges';
import type { Principal } from 'src/bearer/principal.decorator';
import { InvalidRequest, NotFound } from 'src/oauth/errors/oauth-errors';
import { ToolCallOrigin, ToolRunner } from './tool-runner.service';
import type { ToolResult } from './tools/tool-definition';

/** The REST mirror's view of a tool call: outcomes become HTTP errors the filter renders. */
@Injectable()
export class RestToolCalls {
  constructor(
    private readonly runner: ToolRunner,
    private readonly challenges: BearerChallenges,
  ) {}

  async call(
    name: string,
    args: unknown,
    principal: Principal,
    origin: ToolCallOrigin,
  ): Promise<ToolResult> {
    const outcome = await this.runner.call(name, args, principal, origin);
    switch (outcome.status) {
      case 'ok':
        return outcome.result;
      case 'unknown_tool':
        throw NotFound('unknown tool');
      case 'insufficient_scope':
        throw this.challenges.insufficientScope(principal.scope, outcome.required);
      case 'invalid_arguments':
        throw InvalidRequest(`invalid ${outcome.fields.join(', ')}`);
    }
  }
}
