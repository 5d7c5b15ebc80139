import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsWiring } from './metrics-wiring';
import { MetricsService } from './metrics.service';

/** Prometheus metrics at GET /metrics (README: Metrics); `MetricsService` for any module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricsWiring],
  exports: [MetricsService],
})
export class ObservabilityModule {}
