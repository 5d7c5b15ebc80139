import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refresh rotation grace (docs/architecture.md §4): the rotated token's row keeps its successor, encrypted
 * under a key derived from the rotated token itself, so a client that retries the previous token
 * within the grace window gets the same successor back — and nobody without that token can read it.
 */
export class RefreshSuccessor1764633600000 implements MigrationInterface {
  name = 'RefreshSuccessor1764633600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "successor_ciphertext" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "successor_ciphertext"`);
  }
}
