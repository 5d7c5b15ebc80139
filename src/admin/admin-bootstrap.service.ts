import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from 'src/audit/audit.service';
import { ClientManagementService } from 'src/clients/client-management.service';
import { AppConfig } from 'src/config/app-config';

/**
 * ADMIN_CLIENT_ID + ADMIN_CLIENT_SECRET: on every start, make sure that administrator client
 * exists with that secret (created if absent, its bcrypt hash replaced if the secret changed).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientManagementService,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.adminClient;
    if (!admin) return;
    const outcome = await this.clients.ensureAdminClient(admin.clientId, admin.secret);
    if (outcome !== 'unchanged') {
      this.logger.log(`administrator client ${admin.clientId} ${outcome} from ADMIN_CLIENT_ID`);
      this.audit.record({
        type: outcome === 'created' ? 'client.registered' : 'client.updated',
        outcome: 'success',
        clientId: admin.clientId,
        details: { actor: 'config' },
      });
    }
    const client = await this.clients.findById(admin.clientId);
    if (client?.disabled) {
      this.logger.warn(
        `administrator client ${admin.clientId} is disabled: enable it through the admin API`,
      );
    }
  }
}
