import { Module } from '@nestjs/common';
import { AuthorizationModule } from 'src/authorization/authorization.module';
import { ClientsModule } from 'src/clients/clients.module';
import { UsersModule } from 'src/users/users.module';
import { ClientTokenRevocationService } from './client-token-revocation.service';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant';
import { ClientCredentialsGrant } from './grants/client-credentials.grant';
import { RefreshTokenGrant } from './grants/refresh-token.grant';
import { IntrospectionService } from './introspection.service';
import { RevocationController } from './revocation.controller';
import { TokenRevocationService } from './token-revocation.service';
import { UserinfoController } from './userinfo.controller';
import { GrantTypeRegistry } from './grants/grant-type-registry';
import { KeysModule } from './keys/keys.module';
import { TokenStoreModule } from 'src/token-store/token-store.module';
import { TokenIssuer } from './token-issuer.service';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';

/** /token with one class per grant, /revoke, /introspect, token issuing, and (through KeysModule) signing and verification. */
@Module({
  imports: [AuthorizationModule, ClientsModule, UsersModule, KeysModule, TokenStoreModule],
  controllers: [TokenController, RevocationController, UserinfoController],
  providers: [
    TokenIssuer,
    AuthorizationCodeGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
    GrantTypeRegistry,
    TokenService,
    TokenRevocationService,
    IntrospectionService,
    ClientTokenRevocationService,
  ],
  exports: [TokenIssuer, GrantTypeRegistry, KeysModule, ClientTokenRevocationService],
})
export class TokensModule {}
