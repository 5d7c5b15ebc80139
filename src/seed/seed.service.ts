import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ClientsService } from 'src/clients/clients.service';
import { AppConfig } from 'src/config/app-config';
import { UsersService } from 'src/users/users.service';
import { DEMO_CLIENT, DEMO_USER } from './demo-data';

/**
 * Seeds the demo client and user when SEED_DEMO is on. Each insert is "if absent": a restart never
 * duplicates them and never overwrites what an administrator changed.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemo) return;
    await this.seed();
  }

  async seed(): Promise<{ client: boolean; user: boolean }> {
    // Both hash a secret with bcrypt: run them side by side (start-up time of `npm start`).
    const [client, user] = await Promise.all([
      this.clients.createIfAbsent(
        {
          clientId: DEMO_CLIENT.clientId,
          clientName: DEMO_CLIENT.clientName,
          redirectUris: DEMO_CLIENT.redirectUris,
          scope: DEMO_CLIENT.scope,
          grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
          responseTypes: ['code'],
          tokenEndpointAuthMethod: 'client_secret_basic',
          applicationType: 'web',
          source: 'admin',
        },
        DEMO_CLIENT.clientSecret,
      ),
      this.users.createIfAbsent(DEMO_USER),
    ]);
    if (client) this.logger.log(`seeded demo client ${DEMO_CLIENT.clientId}`);
    if (user) this.logger.log(`seeded demo user ${DEMO_USER.username}`);
    return { client, user };
  }
}
