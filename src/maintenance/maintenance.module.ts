import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditModule } from 'src/audit/audit.module';
import { AuthorizationModule } from 'src/authorization/authorization.module';
import { ClientsModule } from 'src/clients/clients.module';
import { SessionModule } from 'src/session/session.module';
import { TokenStoreModule } from 'src/token-store/token-store.module';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { DcrClientExpiryJob } from './dcr-client-expiry.job';
import { KeyRotationJob } from './key-rotation.job';
import { MaintenanceScheduler } from './maintenance.scheduler';
import { PurgeExpiredJob } from './purge-expired.job';
import { PurgeTargets } from './purge-targets';

/**
 * Scheduled jobs (docs/architecture.md §1): purge expired rows, rotate signing keys, expire unused
 * dynamically registered clients. Timers only with MAINTENANCE_ENABLED; the jobs are providers, so
 * tests and operators can run them directly.
 */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    KeysModule,
    ClientsModule,
    TokenStoreModule,
    AuthorizationModule,
    SessionModule,
    AuditModule,
  ],
  providers: [
    PurgeTargets,
    PurgeExpiredJob,
    KeyRotationJob,
    DcrClientExpiryJob,
    MaintenanceScheduler,
  ],
  exports: [MaintenanceScheduler, PurgeExpiredJob, KeyRotationJob, DcrClientExpiryJob],
})
export class MaintenanceModule {}
