import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionService } from './session.service';
import { UserAdminRepository } from './user-admin.repository';
import { UserAdminService } from './user-admin.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersRepository, UsersService, SessionService, UserAdminRepository, UserAdminService],
  exports: [UsersService, SessionService, UserAdminService],
})
export class UsersModule {}
