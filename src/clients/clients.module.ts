import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientAuthenticator } from './client-authenticator.service';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { OAuthClient } from './oauth-client.entity';

@Module({
  imports: [TypeOrmModule.forFeature([OAuthClient])],
  providers: [ClientsRepository, ClientsService, ClientAuthenticator],
  exports: [ClientsService, ClientAuthenticator],
})
export class ClientsModule {}
