import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ClientsModule } from 'src/clients/clients.module';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { DcrClientExpiryJob } from './dcr-client-expiry.job';
import { KeyRotationJob } from './key-rotation.job';
import { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceScheduler } from './maintenance.scheduler';
import { PurgeExpiredJob } from './purge-expired.job';

/**
 * Scheduled jobs (docs/architecture.md §1): purge expired rows, rotate signing keys, expire unused
 * dynamically registered clients. Timers only with MAINTENANCE_ENABLED; the jobs are providers, so
 * tests and operators can run them directly.
 */
@Module({
  imports: [ScheduleModule.forRoot(), KeysModule, ClientsModule],
  providers: [
    MaintenanceRepository,
    PurgeExpiredJob,
    KeyRotationJob,
    DcrClientExpiryJob,
    MaintenanceScheduler,
  ],
  exports: [MaintenanceScheduler, PurgeExpiredJob, KeyRotationJob, DcrClientExpiryJob],
})
export class MaintenanceModule {}
