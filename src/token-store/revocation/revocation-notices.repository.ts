import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Sends PostgreSQL notifications through the ordinary pool (a listener needs its own connection). */
@Injectable()
export class RevocationNoticesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async notify(channel: string, payload: string): Promise<void> {
    // Outside any transaction, so it is delivered at once (NOTIFY is sent on commit).
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }
}
