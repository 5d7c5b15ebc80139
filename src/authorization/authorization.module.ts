import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from 'src/clients/clients.module';
import { ConsentModule } from 'src/consent/consent.module';
import { Grant } from 'src/token-store/grant.entity';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { RevocationBroadcastModule } from 'src/token-store/revocation/revocation-broadcast.module';
import { UsersModule } from 'src/users/users.module';
import { AuthorizationCode } from './authorization-code.entity';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { AuthorizationCodesService } from './authorization-codes.service';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { GrantsRepository } from '../token-store/grants.repository';
import { GrantsService } from '../token-store/grants.service';
import { LoginService } from './login.service';

/** /authorize, login and consent interaction; owns authorization codes and grants (token families). */
@Module({
  imports: [TypeOrmModule.forFeature([AuthorizationCode, Grant]), ClientsModule, UsersModule, ConsentModule, KeysModule, RevocationBroadcastModule],
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
