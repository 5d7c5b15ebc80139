import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokenStoreModule } from 'src/token-store/token-store.module';
import { ClientManagementService } from './client-management.service';
import { ClientCache } from './client-cache';
import { ClientChangeNotices } from './client-change-notices';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientDeletion } from './client-deletion.service';
import { ClientUsageTracker } from './client-usage-tracker';
import { CimdResolver } from './cimd/cimd-resolver.service';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { OAuthClient } from './oauth-client.entity';
import { ClientPolicy } from './policy/client-policy';
import { RateLimitStorageModule } from 'src/rate-limit/rate-limit.module';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';

/** Dynamic registration (RFC 7591/7592), CIMD resolution and last-use tracking. */
const SELF_REGISTRATION = [RegistrationService, CimdResolver, ClientUsageTracker];

@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient]), TokenStoreModule, RateLimitStorageModule],
  controllers: [RegistrationController],
  providers: [
    ClientsRepository,
    ClientCache,
    ClientChangeNotices,
    ClientsService,
    ClientAuthenticator,
    ClientManagementService,
    ClientPolicy,
    ClientDeletion,
    ...SELF_REGISTRATION,
  ],
  exports: [
    ClientsService,
    ClientAuthenticator,
    ClientManagementService,
    ClientPolicy,
    ClientDeletion,
    ClientChangeNotices,
  ],
})
export class ClientsModule {}
