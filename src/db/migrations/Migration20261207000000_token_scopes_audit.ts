import { Migration } from '@mikro-orm/migrations';

/**
 * Named tokens with scopes, an optional expiry and the time of last use; every token that
 * exists before this migration keeps working as ADMIN, as the one token did everything. The
 * audit log records who changed the configuration, in the transaction of the change.
 */
export class Migration20261207000000_token_scopes_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "api_tokens" rename column "label" to "name";`);
    this.addSql(`alter table "api_tokens"
      add column "scopes" text[] not null default '{ADMIN}',
      add column "expires_at" timestamptz null,
      add column "last_used_at" timestamptz null;`);
    this.addSql(`alter table "api_tokens" alter column "scopes" drop default;`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_scopes_check"
      check (cardinality("scopes") > 0 and "scopes" <@ array['READ', 'WRITE', 'WEBHOOKS', 'ADMIN']::text[]);`);
    this.addSql(`create table "audit_log" (
      "id" bigserial primary key,
      "at" timestamptz not null default now(),
      "actor" varchar(100) not null,
      "actor_token_id" int null,
      "action" varchar(100) not null,
      "subject" text null,
      "changes" jsonb null
    );`);
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);
  }
}
