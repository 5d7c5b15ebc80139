import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

/** The audit trail: `AuditService` for any module, `@Audited` handlers recorded by the interceptor that decorator binds. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [
    AuditEventsRepository,
    AuditService,
    AuditInterceptor,
  ],
  exports: [AuditService, AuditInterceptor, AuditEventsRepository],
})
export class AuditModule {}
