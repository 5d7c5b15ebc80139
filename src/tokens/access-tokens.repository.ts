import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessToken } from './access-token.entity';

@Injectable()
export class AccessTokensRepository {
  constructor(@InjectRepository(AccessToken) private readonly repo: Repository<AccessToken>) {}

  findByJti(jti: string): Promise<AccessToken | null> {
    return this.repo.findOneBy({ jti });
  }

  /** Revokes the token if it belongs to `clientId`; false otherwise. */
  async revokeForClient(jti: string, clientId: string): Promise<boolean> {
    const result = await this.repo.update({ jti, clientId }, { revoked: true });
    return (result.affected ?? 0) > 0;
  }
}
