import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { performance } from 'node:perf_hooks';
import { Observable, finalize, tap } from 'rxjs';
import { currentRequestId } from 'src/common/request-context';
import { getAuditContext } from './audit-context';
import { isUuid } from './audit-cursor';
import { AuditRecord } from './audit-event-types';
import { AUDITED_KEY, AuditedMetadata } from './audited.decorator';
import { AuditService } from './audit.service';

const MAX_USER_AGENT = 512;

/** The bearer guard's principal, as far as auditing needs it. */
interface PrincipalLike {
  sub?: string;
  clientId?: string;
  userId?: string;
}

type AuditedRequest = Request & { id?: string; principal?: PrincipalLike };

/**
 * Records one event per call of an `@Audited` handler, success or failure, once it has finished.
 * It only observes: the response and any thrown error pass through unchanged.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const meta = this.reflector.getAllAndOverride<AuditedMetadata | undefined>(AUDITED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!meta) return next.handle();
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    const started = performance.now();
    let failure: { error: unknown } | undefined;
    return next.handle().pipe(
      tap({ error: (error: unknown) => (failure = { error }) }),
      finalize(() => this.write(meta, req, performance.now() - started, failure)),
    );
  }

  private write(
    meta: AuditedMetadata,
    req: AuditedRequest,
    ms: number,
    failure?: { error: unknown },
  ): void {
    try {
      this.audit.record(this.buildRecord(meta, req, ms, failure));
    } catch (err) {
      this.logger.warn({
        msg: 'audit event not recorded',
        type: meta.type,
        error: (err as Error)?.name,
      });
    }
  }

  private buildRecord(
    meta: AuditedMetadata,
    req: AuditedRequest,
    ms: number,
    failure?: { error: unknown },
  ): AuditRecord {
    const ctx = getAuditContext(req) ?? {};
    const principal = req.principal;
    const details: Record<string, unknown> = {
      ...safeCall(() => meta.details?.(req)),
      ...ctx.details,
      duration_ms: Math.round(ms * 100) / 100,
    };
    if (failure) {
      const { code, status } = describeError(failure.error);
      if (code) details.error = code;
      if (status) details.status = status;
    }
    const userAgent = req.headers?.['user-agent'];
    return {
      type: meta.type,
      outcome: ctx.outcome ?? (failure ? 'failure' : 'success'),
      userId: ctx.userId ?? principalUserId(principal),
      clientId: ctx.clientId ?? principal?.clientId ?? null,
      ip: req.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT) : null,
      requestId: req.id ?? currentRequestId() ?? null,
      details,
    };
  }
}

/**
 * The bearer principal's user: `userId` if given, else `sub` unless the token is a client's own
 * (client_credentials tokens have sub = client_id, RFC 9068 §2.2).
 */
function principalUserId(principal: PrincipalLike | undefined): string | null {
  if (!principal) return null;
  if (principal.userId) return principal.userId;
  const { sub, clientId } = principal;
  return sub && sub !== clientId && isUuid(sub) ? sub : null;
}

/** The error's protocol code (e.g. OAuthError.code) and HTTP status, if it carries them. */
function describeError(error: unknown): { code?: string; status?: number } {
  if (!error || typeof error !== 'object') return {};
  const { code, status, getStatus } = error as {
    code?: unknown;
    status?: unknown;
    getStatus?: unknown;
  };
  const httpStatus =
    typeof status === 'number'
      ? status
      : typeof getStatus === 'function'
        ? safeStatus(error)
        : undefined;
  return { code: typeof code === 'string' ? code : undefined, status: httpStatus };
}

function safeStatus(error: object): number | undefined {
  try {
    const status: unknown = (error as { getStatus(): unknown }).getStatus();
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

function safeCall(
  fn: () => Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
