import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientAdminService } from './client-admin.service';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientDeletion } from './client-deletion.service';
import { ClientUsageTracker } from './client-usage-tracker';
import { CimdResolver } from './cimd/cimd-resolver.service';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { OAuthClient } from './oauth-client.entity';
import { ClientPolicy } from './policy/client-policy';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';

/** Dynamic registration (RFC 7591/7592), CIMD resolution and last-use tracking. */
const SELF_REGISTRATION = [RegistrationService, CimdResolver, ClientUsageTracker];

@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient])],
  controllers: [RegistrationController],
  providers: [
    ClientsRepository,
    ClientsService,
    ClientAuthenticator,
    ClientAdminService,
    ClientPolicy,
    ClientDeletion,
    ...SELF_REGISTRATION,
  ],
  exports: [ClientsService, ClientAuthenticator, ClientAdminService, ClientPolicy, ClientDeletion],
})
export class ClientsModule {}
