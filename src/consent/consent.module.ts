import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consent } from './consent.entity';
import { ConsentService } from './consent.service';
import { ConsentsRepository } from './consents.repository';

@Module({
  imports: [TypeOrmModule.forFeature([Consent])],
  providers: [ConsentsRepository, ConsentService],
  exports: [ConsentService],
})
export class ConsentModule {}
