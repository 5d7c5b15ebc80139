import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { BearerChallenges } from './bearer-challenges';
import { BearerTokenGuard } from './bearer-token.guard';

/**
 * Protects every route with BearerTokenGuard (APP_GUARD), which needs `TokenVerifier` from
 * KeysModule (not global, so imported here) and `AppConfig` from the global config module.
 */
@Module({
  imports: [KeysModule],
  providers: [BearerChallenges, { provide: APP_GUARD, useClass: BearerTokenGuard }],
  exports: [BearerChallenges],
})
export class BearerModule {}
