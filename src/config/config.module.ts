import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { resolveAppSecret } from './app-secret';
import { validateEnv } from './validate-env';

/** Global configuration: validates the environment once and provides the typed AppConfig. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(source: Record<string, string | undefined> = process.env): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        {
          provide: AppConfig,
          useFactory: () => {
            const env = validateEnv(source);
            return new AppConfig(env, resolveAppSecret(env));
          },
        },
      ],
      exports: [AppConfig],
    };
  }
}
