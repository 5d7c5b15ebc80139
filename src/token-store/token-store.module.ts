import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from 'src/config/app-config';
import { MetricsService } from 'src/observability/metrics.service';
import { AccessToken } from './access-token.entity';
import { AccessTokenRevocationRepository } from './access-token-revocation.repository';
import { AccessTokensRepository } from './access-tokens.repository';
import { DatabaseRevocationChecker } from './database-revocation-checker';
import { TokenFamily } from './token-family.entity';
import { TokenFamiliesRepository } from './token-families.repository';
import { TokenFamiliesService } from './token-families.service';
import { IssuedTokensRepository } from './issued-tokens.repository';
import { RefreshToken } from './refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RevocationChecker } from './revocation-checker';
import { PgNotifyTransport } from './revocation/pg-notify.transport';
import { RedisPubSubTransport } from './revocation/redis-pubsub.transport';
import { LocalRevocationBroadcaster, RevocationBroadcaster } from './revocation/revocation-broadcaster';
import { REVOCATION_CHANNEL } from './revocation/revocation-notice';
import { RevocationNoticesRepository } from './revocation/revocation-notices.repository';
import { TransportRevocationBroadcaster } from './revocation/transport-revocation-broadcaster';

/**
 * The token store, below authorization and tokens: the only owner of grants (token families),
 * access_tokens and refresh_tokens, of the revocation checker on the bearer hot path, and of the
 * revocation broadcast between instances (docs/architecture.md §5.1, §6): Redis pub/sub when REDIS_URL is
 * set, otherwise LISTEN/NOTIFY on PostgreSQL, and nothing to send on PGlite (one process). The
 * broadcast also carries client-change notices (ClientChangeNotices).
 */
@Module({
  imports: [TypeOrmModule.forFeature([TokenFamily, AccessToken, RefreshToken])],
  providers: [
    TokenFamiliesRepository,
    TokenFamiliesService,
    AccessTokensRepository,
    RefreshTokensRepository,
    IssuedTokensRepository,
    AccessTokenRevocationRepository,
    { provide: RevocationChecker, useClass: DatabaseRevocationChecker },
    RevocationNoticesRepository,
    {
      provide: RevocationBroadcaster,
      inject: [
        AppConfig,
        RevocationChecker,
        RevocationNoticesRepository,
        { token: MetricsService, optional: true },
      ],
      useFactory: (
        config: AppConfig,
        checker: RevocationChecker,
        notices: RevocationNoticesRepository,
        metrics?: MetricsService,
      ): RevocationBroadcaster => {
        const onLag = metrics
          ? (seconds: number, source: 'self' | 'peer') => metrics.observeRevocationLag(seconds, source)
          : undefined;
        if (config.redisUrl) {
          // One Redis may serve several deployments: the issuer keeps their notices apart.
          const channel = `${REVOCATION_CHANNEL}:${config.issuer}`;
          return new TransportRevocationBroadcaster(
            new RedisPubSubTransport(config.redisUrl, channel),
            checker,
            onLag,
          );
        }
        if (config.db.kind === 'postgres') {
          const transport = new PgNotifyTransport(config.db.url, REVOCATION_CHANNEL, (c, p) =>
            notices.notify(c, p),
          );
          return new TransportRevocationBroadcaster(transport, checker, onLag);
        }
        return new LocalRevocationBroadcaster();
      },
    },
  ],
  exports: [
    TokenFamiliesService,
    TokenFamiliesRepository,
    AccessTokensRepository,
    RefreshTokensRepository,
    IssuedTokensRepository,
    RevocationChecker,
    RevocationBroadcaster,
  ],
})
export class TokenStoreModule {}
