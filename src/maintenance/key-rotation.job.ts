import { Injectable, Logger } from '@nestjs/common';
import { Clock } from 'src/common/clock';
import { AppConfig } from 'src/config/app-config';
import { RotationOutcome, SigningKeysService } from 'src/tokens/keys/signing-keys.service';

/**
 * Drives SigningKeysService.rotate() (docs/architecture.md §4): once the active key has signed for the
 * rotation interval less the promotion delay, a next key is created and published; a later run, at
 * least the promotion delay after, promotes it. So a new key signs every interval, and every
 * instance's JWKS consumers have seen it first. Safe on several instances: rotate() is.
 */
@Injectable()
export class KeyRotationJob {
  private readonly logger = new Logger(KeyRotationJob.name);

  constructor(
    private readonly keys: SigningKeysService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async run(now: Date = this.clock.now()): Promise<RotationOutcome> {
    const { activeSince, nextCreatedAt } = await this.keys.rotationState();
    const intervalMs = this.config.maintenance.keyRotationIntervalHours * 3_600_000;
    const startAfterMs = Math.max(0, intervalMs - this.keys.promotionDelaySeconds * 1000);
    const age = activeSince === null ? null : now.getTime() - activeSince.getTime();
    // A next key is published from start-up on (SigningKeysService.ensureKeys), so a pending one
    // is promoted only once the active key has signed for the whole interval.
    const due = age !== null && (nextCreatedAt === null ? age >= startAfterMs : age >= intervalMs);
    if (!due) {
      // No active key yet (none was ever needed) or not its time: only retired keys to clear.
      await this.keys.deleteExpired(now);
      return { action: 'none' };
    }
    const outcome = await this.keys.rotate(now);
    if (outcome.action !== 'none')
      this.logger.log({ msg: `signing key rotation: ${outcome.action}`, kid: outcome.kid });
    return outcome;
  }
}
