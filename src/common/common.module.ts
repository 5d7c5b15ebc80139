import { Global, Module } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { Clock, SystemClock } from './clock';
import { PasswordHasher } from './password-hasher';
import { CryptoRandomSource, RandomSource } from './random';

/** Time, randomness and password hashing, injectable so tests can replace them. */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: RandomSource, useClass: CryptoRandomSource },
    {
      provide: PasswordHasher,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PasswordHasher(config.bcryptCost, config.passwordHashBudget),
    },
  ],
  exports: [Clock, RandomSource, PasswordHasher],
})
export class CommonModule {}
