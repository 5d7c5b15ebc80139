import { Module } from '@nestjs/common';
import { AppConfig } from 'src/config/app-config';
import { KeysModule } from 'src/tokens/keys/keys.module';
import { RevocationChecker } from 'src/tokens/keys/revocation-checker';
import { PgNotifyTransport } from './pg-notify.transport';
import { RedisPubSubTransport } from './redis-pubsub.transport';
import { LocalRevocationBroadcaster, RevocationBroadcaster } from './revocation-broadcaster';
import { REVOCATION_CHANNEL } from './revocation-notice';
import { RevocationNoticesRepository } from './revocation-notices.repository';
import { TransportRevocationBroadcaster } from './transport-revocation-broadcaster';

/**
 * Cross-instance revocation (docs/architecture.md §5.1, §6): Redis pub/sub when REDIS_URL is set,
 * otherwise LISTEN/NOTIFY on PostgreSQL, and nothing to send on PGlite (one process).
 */
@Module({
  imports: [KeysModule],
  providers: [
    RevocationNoticesRepository,
    {
      provide: RevocationBroadcaster,
      inject: [AppConfig, RevocationChecker, RevocationNoticesRepository],
      useFactory: (
        config: AppConfig,
        checker: RevocationChecker,
        notices: RevocationNoticesRepository,
      ): RevocationBroadcaster => {
        if (config.redisUrl) {
          // One Redis may serve several deployments: the issuer keeps their notices apart.
          const channel = `${REVOCATION_CHANNEL}:${config.issuer}`;
          return new TransportRevocationBroadcaster(
            new RedisPubSubTransport(config.redisUrl, channel),
            checker,
          );
        }
        if (config.db.kind === 'postgres') {
          const transport = new PgNotifyTransport(config.db.url, REVOCATION_CHANNEL, (c, p) =>
            notices.notify(c, p),
          );
          return new TransportRevocationBroadcaster(transport, checker);
        }
        return new LocalRevocationBroadcaster();
      },
    },
  ],
  exports: [RevocationBroadcaster],
})
export class RevocationBroadcastModule {}
