import { Migration } from '@mikro-orm/migrations';

/** Domain tables (mirroring the entities), the event log and the webhook delivery log. */
export class Migration20261127000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "contact_type" as enum ('CLIENT', 'VENDOR', 'PARTNER', 'INTERNAL', 'OTHER');`);
    this.addSql(
      `create type "document_status" as enum ('NEW', 'PROCESSING', 'NEEDS_REVIEW', 'MISSING_INFO', 'READY', 'APPROVED', 'EXPORT', 'EXCEPTION', 'ARCHIVED');`,
    );
    this.addSql(`create type "document_source" as enum ('UI', 'API', 'EMAIL', 'HOT_FOLDER');`);

    this.addSql(
      `create table "api_tokens" ("id" serial primary key, "token_hash" varchar(64) not null, "label" varchar(100) not null, "created_at" timestamptz not null, "revoked_at" timestamptz null);`,
    );
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "extraction_profiles" ("id" serial primary key, "name" varchar(200) not null, "fields" jsonb not null, "created_at" timestamptz not null);`,
    );

    this.addSql(
      `create table "contacts" ("id" serial primary key, "name" varchar(200) not null, "type" "contact_type" not null, "email" varchar(320) null, "phone" varchar(50) null, "notes" text null, "parent_id" int null, "default_profile_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "contacts_parent_id_index" on "contacts" ("parent_id");`);

    this.addSql(
      `create table "folders" ("id" serial primary key, "name" varchar(200) not null, "contact_id" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "folders_contact_id_index" on "folders" ("contact_id");`);

    this.addSql(
      `create table "documents" ("id" serial primary key, "filename" varchar(255) not null, "original_filename" varchar(255) not null, "status" "document_status" not null default 'NEW', "source" "document_source" not null default 'API', "doc_type" varchar(100) null, "doc_date" date null, "contact_id" int not null, "folder_id" int not null, "profile_id" int null, "ai_summary" text null, "confidence_score" smallint null, "confidence_reasoning" text null, "extracted_fields" jsonb not null default '{}', "line_items" jsonb not null default '[]', "external_refs" jsonb not null default '{}', "status_changed_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "documents_contact_id_index" on "documents" ("contact_id");`);
    this.addSql(`create index "documents_folder_id_index" on "documents" ("folder_id");`);
    this.addSql(`create index "documents_status_id_index" on "documents" ("status", "id");`);
    this.addSql(`create index "documents_updated_at_id_index" on "documents" ("updated_at", "id");`);

    this.addSql(
      `alter table "contacts" add constraint "contacts_parent_id_foreign" foreign key ("parent_id") references "contacts" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "contacts" add constraint "contacts_default_profile_id_foreign" foreign key ("default_profile_id") references "extraction_profiles" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "folders" add constraint "folders_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "documents" add constraint "documents_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "documents" add constraint "documents_folder_id_foreign" foreign key ("folder_id") references "folders" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "documents" add constraint "documents_profile_id_foreign" foreign key ("profile_id") references "extraction_profiles" ("id") on update cascade on delete set null;`,
    );

    // The event log. `seq` is taken at insert, not at commit, so readers order and page by
    // (txid, seq) and read only below the oldest running transaction (outbox/event-log.ts).
    this.addSql(`create table "events" (
      "seq" bigserial primary key,
      "id" text not null default ('msg_' || replace(gen_random_uuid()::text, '-', '')),
      "txid" xid8 not null default pg_current_xact_id(),
      "type" text not null,
      "channel" text not null check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER')),
      "entity_id" bigint not null,
      "payload" json not null,
      "occurred_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`alter table "events" add constraint "events_id_unique" unique ("id");`);
    this.addSql(`create index "events_position_index" on "events" ("txid", "seq");`);
    this.addSql(`create index "events_channel_occurred_at_index" on "events" ("channel", "occurred_at");`);

    this.addSql(`create table "webhook_settings" (
      "id" smallint primary key default 1 check ("id" = 1),
      "bearer_token" text null,
      "offline_mode" boolean not null default false,
      "signing_secret" text null,
      "updated_at" timestamptz not null default now());`);
    this.addSql(`insert into "webhook_settings" ("id") values (1);`);

    this.addSql(`create table "webhook_channels" (
      "channel" text primary key check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER')),
      "url" text null,
      "enabled" boolean not null default true,
      "disabled_at" timestamptz null,
      "disabled_reason" text null,
      "failing_since" timestamptz null,
      "updated_at" timestamptz not null default now());`);
    this.addSql(`insert into "webhook_channels" ("channel") values ('DOCUMENT'), ('CONTACT'), ('FOLDER');`);

    this.addSql(`create table "webhook_deliveries" (
      "id" bigserial primary key,
      "event_seq" bigint not null references "events" ("seq") on delete cascade,
      "channel" text not null,
      "entity_id" bigint not null,
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED')),
      "attempt_count" int not null default 0,
      "next_attempt_at" timestamptz not null default now(),
      "lease_until" timestamptz null,
      "leased_by" text null,
      "created_at" timestamptz not null default now(),
      "completed_at" timestamptz null);`);
    this.addSql(`create index "webhook_deliveries_due_index" on "webhook_deliveries" ("next_attempt_at", "id") where "status" = 'PENDING';`);
    this.addSql(
      `create index "webhook_deliveries_entity_index" on "webhook_deliveries" ("channel", "entity_id", "id") where "status" = 'PENDING';`,
    );
    this.addSql(`create index "webhook_deliveries_event_seq_index" on "webhook_deliveries" ("event_seq");`);
    this.addSql(`create index "webhook_deliveries_completed_at_index" on "webhook_deliveries" ("completed_at") where "status" <> 'PENDING';`);

    this.addSql(`create table "webhook_attempts" (
      "id" bigserial primary key,
      "delivery_id" bigint not null references "webhook_deliveries" ("id") on delete cascade,
      "started_at" timestamptz not null,
      "duration_ms" int not null,
      "http_status" int null,
      "ok" boolean not null,
      "response_excerpt" text null,
      "error" text null);`);
    this.addSql(`create index "webhook_attempts_delivery_id_index" on "webhook_attempts" ("delivery_id", "id");`);
  }
}
