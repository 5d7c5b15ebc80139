import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from 'src/clients/clients.module';
import { ConsentModule } from 'src/consent/consent.module';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { TokenStoreModule } from 'src/token-store/token-store.module';
import { RateLimitStorageModule } from 'src/rate-limit/rate-limit.module';
import { SessionModule } from 'src/session/session.module';
import { UsersModule } from 'src/users/users.module';
import { AuthorizationCode } from './authorization-code.entity';
import { AuthorizationCodesRepository } from './authorization-codes.repository';
import { AuthorizationCodesService } from './authorization-codes.service';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { LoginService } from './login.service';

/** /authorize, login and consent interaction; owns authorization codes; grants (token families) live in the token store. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthorizationCode]), ClientsModule, UsersModule, ConsentModule, KeysModule, TokenStoreModule, SessionModule, RateLimitStorageModule],
  controllers: [AuthorizeController],
  providers: [
    AuthorizationCodesRepository,
    AuthorizationCodesService,
    AuthorizeService,
    LoginService,
  ],
  exports: [AuthorizationCodesService, AuthorizationCodesRepository, TokenStoreModule],
})
export class AuthorizationModule {}
