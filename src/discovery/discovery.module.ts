import { Module } from '@nestjs/common';
import { TokensModule } from 'src/tokens/tokens.module';
import { DiscoveryController } from './discovery.controller';
import { LandingController } from './landing.controller';

@Module({ imports: [TokensModule], controllers: [DiscoveryController, LandingController] })
export class DiscoveryModule {}
