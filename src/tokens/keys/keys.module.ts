import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SigningKey } from 'src/tokens/signing-key.entity';
import { TokenStoreModule } from 'src/token-store/token-store.module';
import { JwtAccessTokenSigner } from './jwt-access-token.signer';
import { JwtTokenVerifier } from './jwt-token.verifier';
import { KeyEncryption } from './key-encryption';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';
import { AccessTokenSigner, TokenVerifier } from './token-verifier';

/** Signing keys (in the database, encrypted), JWT access token signing and verification. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey]), TokenStoreModule],
  providers: [
    SigningKeysRepository,
    KeyEncryption,
    SigningKeysService,
    { provide: AccessTokenSigner, useClass: JwtAccessTokenSigner },
    { provide: TokenVerifier, useClass: JwtTokenVerifier },
  ],
  exports: [SigningKeysService, AccessTokenSigner, TokenVerifier, TokenStoreModule],
})
export class KeysModule {}
