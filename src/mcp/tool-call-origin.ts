import type { Request } from 'express';
import type { ToolCallOrigin } from './tool-runner.service';

/** The audit-relevant facts about the HTTP request that carried a tool call. */
export function toolCallOrigin(
  req: Request,
  transport: ToolCallOrigin['transport'],
): ToolCallOrigin {
  return { transport, ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
}
