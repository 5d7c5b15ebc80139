import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionService } from './session.service';
import { SignedInUsers } from './signed-in-users.service';
import { UserAdminService } from './user-admin.service';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersRepository, UsersService, SessionService, SignedInUsers, UserAdminService],
  exports: [UsersService, SessionService, SignedInUsers, UserAdminService],
})
export class UsersModule {}
