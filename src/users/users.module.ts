import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionService } from './session.service';
import { SignedInUsers } from './signed-in-users.service';
import { UserManagementService } from './user-management.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersRepository, UsersService, SessionService, SignedInUsers, UserManagementService],
  exports: [UsersService, SessionService, SignedInUsers, UserManagementService],
})
export class UsersModule {}
