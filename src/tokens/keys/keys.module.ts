import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessToken } from 'src/token-store/access-token.entity';
import { SigningKey } from 'src/tokens/signing-key.entity';
import { AccessTokenRevocationRepository } from '../../token-store/access-token-revocation.repository';
import { DatabaseRevocationChecker } from '../../token-store/database-revocation-checker';
import { JwtAccessTokenSigner } from './jwt-access-token.signer';
import { JwtTokenVerifier } from './jwt-token.verifier';
import { KeyEncryption } from './key-encryption';
import { RevocationChecker } from '../../token-store/revocation-checker';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';
import { AccessTokenSigner, TokenVerifier } from './token-verifier';

/** Signing keys (in the database, encrypted), JWT access token signing and verification. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey, AccessToken])],
  providers: [
    SigningKeysRepository,
    AccessTokenRevocationRepository,
    KeyEncryption,
    SigningKeysService,
    { provide: AccessTokenSigner, useClass: JwtAccessTokenSigner },
    { provide: TokenVerifier, useClass: JwtTokenVerifier },
    { provide: RevocationChecker, useClass: DatabaseRevocationChecker },
  ],
  exports: [SigningKeysService, AccessTokenSigner, TokenVerifier, RevocationChecker],
})
export class KeysModule {}
