import { Injectable } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { Clock } from 'src/common/clock';
import { sha256Hex } from 'src/common/hashing';
import { RandomSource } from 'src/common/random';
import { AppConfig } from 'src/config/app-config';
import { TOKEN_PREFIX } from 'src/oauth/oauth.constants';
import { AuthorizationCode } from './authorization-code.entity';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { TokenFamiliesService } from '../token-store/token-families.service';

export interface CodeRequest {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string[];
  resource: string;
  codeChallenge: string;
}

export type ConsumeResult =
  | { ok: true; code: AuthorizationCode }
  | { ok: false; reason: 'unknown' | 'expired' | 'replayed' };

/** Issues and redeems authorization codes: 256 random bits, prefixed, only SHA-256 stored. */
@Injectable()
export class AuthorizationCodesService {
  constructor(
    private readonly codes: AuthorizationCodesRepository,
    private readonly grants: TokenFamiliesService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly audit: AuditService,
  ) {}

  /** Starts a grant (the token family) and returns a new code bound to everything the request said. */
  async issue(request: CodeRequest): Promise<string> {
    const grant = await this.grants.create({
      userId: request.userId,
      clientId: request.clientId,
      scope: request.scope,
      resource: request.resource,
      expiresAt: this.clock.in(this.config.ttl.refreshToken),
    });
    const code = `${TOKEN_PREFIX.authorizationCode}${this.random.token(32)}`;
    await this.codes.create({
      codeHash: sha256Hex(code),
      clientId: request.clientId,
      userId: request.userId,
      redirectUri: request.redirectUri,
      scope: request.scope,
      resource: request.resource,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: 'S256',
      grantId: grant.id,
      expiresAt: this.clock.in(this.config.ttl.code),
    });
    return code;
  }

  /**
   * Redeems a code once. A second presentation is a replay: the grant, and with it every token
   * issued from the code, is revoked (RFC 9700 §4.2.4 / OAuth 2.1 §4.1.3).
   */
  async consume(code: string): Promise<ConsumeResult> {
    const now = this.clock.now();
    const hash = sha256Hex(code);
    const consumed = await this.codes.consume(hash, now);
    if (consumed) {
      if (consumed.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, code: consumed };
    }
    const existing = await this.codes.findByHash(hash);
    if (!existing) return { ok: false, reason: 'unknown' };
    await this.grants.revoke(existing.grantId, 'code_replay');
    this.audit.record({
      type: 'code.replayed',
      outcome: 'failure',
      userId: existing.userId,
      clientId: existing.clientId,
      details: { grant_id: existing.grantId, family_revoked: true },
    });
    return { ok: false, reason: 'replayed' };
  }
}
