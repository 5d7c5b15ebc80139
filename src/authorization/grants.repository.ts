import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { Grant } from 'src/tokens/grant.entity';

export type NewGrant = Pick<Grant, 'userId' | 'clientId' | 'scope' | 'resource' | 'expiresAt'>;

@Injectable()
export class GrantsRepository {
  constructor(@InjectRepository(Grant) private readonly repo: Repository<Grant>) {}

  async create(grant: NewGrant): Promise<Grant> {
    return this.repo.save(this.repo.create(grant));
  }

  findById(id: string): Promise<Grant | null> {
    return this.repo.findOneBy({ id });
  }

  /** Revokes the grant (and so every token of its family); false if it already was. */
  async revoke(id: string, reason: string, at: Date): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at, revokedReason: reason });
    return (result.affected ?? 0) > 0;
  }

  async revokeForUserAndClient(userId: string, clientId: string, reason: string, at: Date): Promise<number> {
    const result = await this.repo.update(
      { userId, clientId, revokedAt: IsNull() },
      { revokedAt: at, revokedReason: reason },
    );
    return result.affected ?? 0;
  }
}
