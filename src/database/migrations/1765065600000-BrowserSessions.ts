import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server-side browser sessions (issue 12 item 3, docs/security.md §12.2): the session cookie
 * names a row, and ending a session deletes it. Sessions of a deleted user go with the user.
 */
export class BrowserSessions1765065600000 implements MigrationInterface {
  name = 'BrowserSessions1765065600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "browser_sessions" ("id_hash" character varying(64) NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_browser_sessions" PRIMARY KEY ("id_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_browser_sessions_user" ON "browser_sessions" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_browser_sessions_expires" ON "browser_sessions" ("expires_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "browser_sessions" ADD CONSTRAINT "FK_browser_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "browser_sessions" DROP CONSTRAINT "FK_browser_sessions_user"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_browser_sessions_expires"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_browser_sessions_user"`);
    await queryRunner.query(`DROP TABLE "browser_sessions"`);
  }
}
