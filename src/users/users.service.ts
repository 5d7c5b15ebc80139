import { Injectable } from '@nestjs/common';
import { PasswordHasher } from 'src/common/password-hasher';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface NewUserInput {
  username: string;
  password: string;
  email?: string | null;
  name?: string | null;
  scopes?: string[];
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findByUsername(username);
  }

  /** Creates the user unless the username is taken; an existing row is left exactly as it is. */
  async createIfAbsent(input: NewUserInput): Promise<boolean> {
    if (await this.users.findByUsername(input.username)) return false;
    return this.users.createIfAbsent({
      username: input.username,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      name: input.name ?? null,
      scopes: input.scopes ?? [],
    });
  }
}
