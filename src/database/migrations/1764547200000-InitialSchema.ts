import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: every table of docs/architecture.md §3. Generated with `npm run migration:generate`
 * against PostgreSQL, reviewed by hand (index names made explicit, schema qualifiers removed so the
 * same text runs on PGlite and on any search_path).
 */
export class InitialSchema1764547200000 implements MigrationInterface {
  name = 'InitialSchema1764547200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "type" character varying(64) NOT NULL, "outcome" character varying(16) NOT NULL, "user_id" uuid, "client_id" text, "ip" character varying(64), "user_agent" character varying(512), "request_id" character varying(128), "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at" ON "audit_events"  ("at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_user_id" ON "audit_events"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_client_id" ON "audit_events"  ("client_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_type_at" ON "audit_events"  ("type", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_clients" ("client_id" text NOT NULL, "client_secret_hash" text, "client_name" text NOT NULL, "redirect_uris" text array NOT NULL DEFAULT '{}', "grant_types" text array NOT NULL DEFAULT '{authorization_code,refresh_token}', "response_types" text array NOT NULL DEFAULT '{code}', "scope" text array NOT NULL DEFAULT '{}', "token_endpoint_auth_method" character varying(32) NOT NULL DEFAULT 'client_secret_basic', "application_type" character varying(16) NOT NULL DEFAULT 'web', "source" character varying(8) NOT NULL DEFAULT 'admin', "registration_access_token_hash" text, "client_secret_expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "disabled" boolean NOT NULL DEFAULT false, "metadata" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c5c4af500cc8bfc05500fff7f90" PRIMARY KEY ("client_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(128) NOT NULL, "password_hash" text NOT NULL, "email" character varying(320), "name" character varying(200), "scopes" text array NOT NULL DEFAULT '{}', "disabled" boolean NOT NULL DEFAULT false, "failed_login_count" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_username" ON "users"  ("username") `);
    await queryRunner.query(
      `CREATE TABLE "grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid, "client_id" text NOT NULL, "scope" text array NOT NULL DEFAULT '{}', "resource" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a25f5f89eff8b3277f7969b7094" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_grants_expires_at" ON "grants"  ("expires_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_grants_user_client" ON "grants"  ("user_id", "client_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "authorization_codes" ("code_hash" character varying(64) NOT NULL, "client_id" text NOT NULL, "user_id" uuid NOT NULL, "redirect_uri" text NOT NULL, "scope" text array NOT NULL DEFAULT '{}', "resource" text NOT NULL, "code_challenge" character varying(128) NOT NULL, "code_challenge_method" character varying(8) NOT NULL, "grant_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "consumed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2e198275bb8a2fe00f554be97a3" PRIMARY KEY ("code_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_authorization_codes_grant_id" ON "authorization_codes"  ("grant_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_authorization_codes_expires_at" ON "authorization_codes"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consents" ("user_id" uuid NOT NULL, "client_id" text NOT NULL, "scope" text array NOT NULL DEFAULT '{}', "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8063fb33c16c761d941615c8462" PRIMARY KEY ("user_id", "client_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "notes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner" text NOT NULL, "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_af6206538ea96c4e77e9f400c3d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notes_owner" ON "notes"  ("owner") `);
    await queryRunner.query(
      `CREATE TABLE "access_tokens" ("jti" character varying(64) NOT NULL, "client_id" text NOT NULL, "user_id" uuid, "scope" text array NOT NULL DEFAULT '{}', "resource" text NOT NULL, "grant_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_28772cc8c3cd0a9d22318e07804" PRIMARY KEY ("jti"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_access_tokens_grant_id" ON "access_tokens"  ("grant_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_access_tokens_expires_at" ON "access_tokens"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_access_tokens_user_client" ON "access_tokens"  ("user_id", "client_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("token_hash" character varying(64) NOT NULL, "client_id" text NOT NULL, "user_id" uuid, "scope" text array NOT NULL DEFAULT '{}', "resource" text NOT NULL, "grant_id" uuid NOT NULL, "parent_hash" character varying(64), "replaced_by_hash" character varying(64), "used_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7838d2ba25be1342091b6695f1" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_refresh_tokens_grant_id" ON "refresh_tokens"  ("grant_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_refresh_tokens_expires_at" ON "refresh_tokens"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_refresh_tokens_user_client" ON "refresh_tokens"  ("user_id", "client_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" character varying(64) NOT NULL, "alg" character varying(16) NOT NULL, "public_jwk" jsonb NOT NULL, "private_jwk_encrypted" text NOT NULL, "state" character varying(8) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "activated_at" TIMESTAMP WITH TIME ZONE, "retired_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_13362ac3e792c69417e1a53d355" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "grants" ADD CONSTRAINT "FK_grants_client" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "grants" ADD CONSTRAINT "FK_grants_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" ADD CONSTRAINT "FK_authorization_codes_client" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" ADD CONSTRAINT "FK_authorization_codes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" ADD CONSTRAINT "FK_authorization_codes_grant" FOREIGN KEY ("grant_id") REFERENCES "grants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "consents" ADD CONSTRAINT "FK_consents_client" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "consents" ADD CONSTRAINT "FK_consents_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "access_tokens" ADD CONSTRAINT "FK_access_tokens_client" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "access_tokens" ADD CONSTRAINT "FK_access_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "access_tokens" ADD CONSTRAINT "FK_access_tokens_grant" FOREIGN KEY ("grant_id") REFERENCES "grants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_refresh_tokens_client" FOREIGN KEY ("client_id") REFERENCES "oauth_clients"("client_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_refresh_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_refresh_tokens_grant" FOREIGN KEY ("grant_id") REFERENCES "grants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_refresh_tokens_grant"`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_refresh_tokens_user"`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_refresh_tokens_client"`,
    );
    await queryRunner.query(`ALTER TABLE "access_tokens" DROP CONSTRAINT "FK_access_tokens_grant"`);
    await queryRunner.query(`ALTER TABLE "access_tokens" DROP CONSTRAINT "FK_access_tokens_user"`);
    await queryRunner.query(
      `ALTER TABLE "access_tokens" DROP CONSTRAINT "FK_access_tokens_client"`,
    );
    await queryRunner.query(`ALTER TABLE "consents" DROP CONSTRAINT "FK_consents_user"`);
    await queryRunner.query(`ALTER TABLE "consents" DROP CONSTRAINT "FK_consents_client"`);
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" DROP CONSTRAINT "FK_authorization_codes_grant"`,
    );
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" DROP CONSTRAINT "FK_authorization_codes_user"`,
    );
    await queryRunner.query(
      `ALTER TABLE "authorization_codes" DROP CONSTRAINT "FK_authorization_codes_client"`,
    );
    await queryRunner.query(`ALTER TABLE "grants" DROP CONSTRAINT "FK_grants_user"`);
    await queryRunner.query(`ALTER TABLE "grants" DROP CONSTRAINT "FK_grants_client"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
    await queryRunner.query(`DROP INDEX "IDX_refresh_tokens_user_client"`);
    await queryRunner.query(`DROP INDEX "IDX_refresh_tokens_expires_at"`);
    await queryRunner.query(`DROP INDEX "IDX_refresh_tokens_grant_id"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "IDX_access_tokens_user_client"`);
    await queryRunner.query(`DROP INDEX "IDX_access_tokens_expires_at"`);
    await queryRunner.query(`DROP INDEX "IDX_access_tokens_grant_id"`);
    await queryRunner.query(`DROP TABLE "access_tokens"`);
    await queryRunner.query(`DROP INDEX "IDX_notes_owner"`);
    await queryRunner.query(`DROP TABLE "notes"`);
    await queryRunner.query(`DROP TABLE "consents"`);
    await queryRunner.query(`DROP INDEX "IDX_authorization_codes_expires_at"`);
    await queryRunner.query(`DROP INDEX "IDX_authorization_codes_grant_id"`);
    await queryRunner.query(`DROP TABLE "authorization_codes"`);
    await queryRunner.query(`DROP INDEX "IDX_grants_user_client"`);
    await queryRunner.query(`DROP INDEX "IDX_grants_expires_at"`);
    await queryRunner.query(`DROP TABLE "grants"`);
    await queryRunner.query(`DROP INDEX "UQ_users_username"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "oauth_clients"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_events_type_at"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_events_client_id"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_events_user_id"`);
    await queryRunner.query(`DROP INDEX "IDX_audit_events_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
