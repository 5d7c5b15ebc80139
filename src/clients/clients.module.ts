import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { OAuthClient } from './oauth-client.entity';

@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient])],
  providers: [ClientsRepository, ClientsService],
  exports: [ClientsService],
})
export class ClientsModule {}
