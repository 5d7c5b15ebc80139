import { Module } from '@nestjs/common';
import { AccountAppsModule } from './consent/account-apps.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthorizationModule } from './authorization/authorization.module';
import { BearerModule } from './bearer/bearer.module';
import { ConsentModule } from './consent/consent.module';
import { DiscoveryModule } from './discovery/discovery.module';
import { TokensModule } from './tokens/tokens.module';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { ClientsModule } from './clients/clients.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { McpModule } from './mcp/mcp.module';
import { ObservabilityModule } from './observability/observability.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SeedModule } from './seed/seed.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot(),
    CommonModule,
    DatabaseModule,
    AuditModule,
    ObservabilityModule,
    RateLimitModule,
    UsersModule,
    ClientsModule,
    ConsentModule,
    AuthorizationModule,
    TokensModule,
    DiscoveryModule,
    BearerModule,
    McpModule,
    HealthModule,
    AdminModule,
    AccountAppsModule,
    MaintenanceModule,
    SeedModule,
  ],
})
export class AppModule {}
