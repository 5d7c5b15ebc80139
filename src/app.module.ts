import { Module } from '@nestjs/common';
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
import { McpModule } from './mcp/mcp.module';
import { SeedModule } from './seed/seed.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot(),
    CommonModule,
    DatabaseModule,
    AuditModule,
    UsersModule,
    ClientsModule,
    ConsentModule,
    AuthorizationModule,
    TokensModule,
    DiscoveryModule,
    BearerModule,
    McpModule,
    HealthModule,
    SeedModule,
  ],
})
export class AppModule {}
