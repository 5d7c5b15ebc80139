import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RateLimitStorageModule } from 'src/rate-limit/rate-limit.module';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';
import { ShutdownState } from './shutdown-state';

/** /health/live, /health/ready (terminus), /health; the shutdown state readiness reports. */
@Module({
  // Failing checks are answered (503 with details), not logged on every probe.
  imports: [TerminusModule.forRoot({ logger: false }), KeysModule, RateLimitStorageModule],
  controllers: [HealthController],
  providers: [ReadinessService, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
