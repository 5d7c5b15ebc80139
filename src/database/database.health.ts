import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Answers whether the database responds, for /health/ready. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The PostgreSQL pool right now (for metrics): connections open, idle, and requests waiting for
   * one. null on PGlite (one serialised connection).
   */
  pool(): { total: number; idle: number; waiting: number } | null {
    const master = (this.dataSource.driver as { master?: Record<string, unknown> }).master;
    if (!master || typeof master.totalCount !== 'number') return null;
    return {
      total: master.totalCount as number,
      idle: master.idleCount as number,
      waiting: master.waitingCount as number,
    };
  }

  async ping(timeoutMs = 2000): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const query = this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
