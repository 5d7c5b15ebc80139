import { Module } from '@nestjs/common';
import { ClientsModule } from 'src/clients/clients.module';
import { UsersModule } from 'src/users/users.module';
import { SeedService } from './seed.service';

@Module({
  imports: [ClientsModule, UsersModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
