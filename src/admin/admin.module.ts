import { Module } from '@nestjs/common';
import { AuthorizationModule } from 'src/authorization/authorization.module';
import { ClientsModule } from 'src/clients/clients.module';
import { TokensModule } from 'src/tokens/tokens.module';
import { SessionModule } from 'src/session/session.module';
import { UsersModule } from 'src/users/users.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminAuditService } from './admin-audit.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminClientsController } from './admin-clients.controller';
import { AdminClientsService } from './admin-clients.service';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';

/**
 * The admin REST API (`/admin/*`, bearer token with scope admin) and the start-up administrator
 * client. It works only through the services the other modules export.
 */
@Module({
  imports: [ClientsModule, UsersModule, AuthorizationModule, TokensModule, SessionModule],
  controllers: [AdminClientsController, AdminUsersController, AdminAuditController],
  providers: [AdminClientsService, AdminUsersService, AdminAuditService, AdminBootstrapService],
})
export class AdminModule {}
