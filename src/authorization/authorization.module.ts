import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from 'src/clients/clients.module';
import { ConsentModule } from 'src/consent/consent.module';
import { Grant } from 'src/tokens/grant.entity';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { RevocationBroadcastModule } from 'src/tokens/revocation/revocation-broadcast.module';
import { RateLimitStorageModule } from 'src/rate-limit/rate-limit.module';
import { SessionModule } from 'src/session/session.module';
import { UsersModule } from 'src/users/users.module';
import { AuthorizationCode } from './authorization-code.entity';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { AuthorizationCodesService } from './authorization-codes.service';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { GrantsRepository } from './grants.repository';
import { GrantsService } from './grants.service';
import { LoginService } from './login.service';

/** /authorize, login and consent interaction; owns authorization codes and grants (token families). */
@Module({
  imports: [TypeOrmModule.forFeature([AuthorizationCode, Grant]), ClientsModule, UsersModule, ConsentModule, KeysModule, RevocationBroadcastModule, SessionModule, RateLimitStorageModule],
  controllers: [AuthorizeController],
  providers: [
    AuthorizationCodesRepository,
    AuthorizationCodesService,
    GrantsRepository,
    GrantsService,
    AuthorizeService,
    LoginService,
  ],
  exports: [AuthorizationCodesService, GrantsService],
})
export class AuthorizationModule {}
