import { Module } from '@nestjs/common';
import { AuthorizationModule } from 'src/authorization/authorization.module';
import { ClientsModule } from 'src/clients/clients.module';
import { SessionModule } from 'src/session/session.module';
import { AccountAppsController } from './account-apps.controller';
import { AccountAppsService } from './account-apps.service';
import { ConsentModule } from './consent.module';

/**
 * The "connected apps" pages. A module of its own (though it lives with consent) because it needs
 * GrantsService, and AuthorizationModule already imports ConsentModule: folding it into
 * ConsentModule would make a cycle.
 */
@Module({
  imports: [ConsentModule, AuthorizationModule, SessionModule, ClientsModule],
  controllers: [AccountAppsController],
  providers: [AccountAppsService],
})
export class AccountAppsModule {}
