import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { User } from './user.entity';

export type NewUser = Pick<User, 'username' | 'passwordHash'> &
  Partial<Pick<User, 'email' | 'name' | 'scopes' | 'disabled'>>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly repo: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.repo.findOneBy({ id });
  }

  findByUsername(username: string): Promise<User | null> {
    return this.repo.findOneBy({ username });
  }

  /** Inserts unless the username exists; returns whether a row was created. */
  async createIfAbsent(user: NewUser): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(User)
      .values(user)
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw.length > 0;
  }

  async create(user: NewUser): Promise<User> {
    return this.repo.save(this.repo.create(user));
  }
}
