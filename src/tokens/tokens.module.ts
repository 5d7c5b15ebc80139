import { Module } from '@nestjs/common';
import { AuthorizationModule } from 'src/authorization/authorization.module';
import { ClientsModule } from 'src/clients/clients.module';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant';
import { GrantRegistry } from './grants/grant-registry';
import { IssuedTokensRepository } from './issued-tokens.repository';
import { KeysModule } from './keys/keys.module';
import { TokenIssuer } from './token-issuer.service';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';

/** /token with one class per grant, token issuing, and (through KeysModule) signing and verification. */
@Module({
  imports: [AuthorizationModule, ClientsModule, KeysModule],
  controllers: [TokenController],
  providers: [IssuedTokensRepository, TokenIssuer, AuthorizationCodeGrant, GrantRegistry, TokenService],
  exports: [TokenIssuer, GrantRegistry, KeysModule],
})
export class TokensModule {}
