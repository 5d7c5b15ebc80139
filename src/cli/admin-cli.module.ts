import { Module } from '@nestjs/common';
import { AuditModule } from 'src/audit/audit.module';
import { ClientsModule } from 'src/clients/clients.module';
import { CommonModule } from 'src/common/common.module';
import { ConfigModule } from 'src/config/config.module';
import { DatabaseModule } from 'src/database/database.module';

/** Just enough of the application to register a client: configuration, database (migrated), clients, audit. */
@Module({
  imports: [ConfigModule.forRoot(), CommonModule, DatabaseModule, AuditModule, ClientsModule],
})
export class AdminCliModule {}
