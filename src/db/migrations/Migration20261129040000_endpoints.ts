import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook endpoints defined by a GraphQL subscription document. An endpoint is a delivery
 * target like the reference's channels: its row of webhook_channels (`endpoint:<id>`) holds its
 * URL, its health and its own signing secret, so that the claim, the retry schedule, the
 * circuit breaker and the switch-off serve it unchanged. Its deliveries carry their own body
 * (the document's result for the event); one delivery per (endpoint, event) at most.
 */
export class Migration20261129040000_endpoints extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoints" (
      "id" bigserial primary key,
      "subscription" text not null,
      "variables" jsonb null,
      "description" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "position_txid" xid8 not null,
      "position_seq" bigint not null,
      "position_generation" int not null default 0
    );`);
    this.addSql(`alter table "webhook_channels"
      add column "endpoint_id" bigint null unique references "webhook_endpoints" ("id") on delete cascade,
      add column "signing_secret" text null,
      add column "previous_signing_secret" text null,
      add column "previous_secret_expires_at" timestamptz null;`);
    this.addSql(`alter table "webhook_channels" drop constraint "webhook_channels_channel_check";`);
    this.addSql(`alter table "webhook_channels" add constraint "webhook_channels_channel_check" check (
      ("endpoint_id" is null and "signing_secret" is null and "channel" in ('DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'))
      or ("endpoint_id" is not null and "signing_secret" is not null and "channel" = 'endpoint:' || "endpoint_id"));`);
    this.addSql(`alter table "webhook_deliveries" add column "body" text null;`);
    this.addSql(`create unique index "webhook_deliveries_endpoint_event_index" on "webhook_deliveries" ("channel", "event_seq") where "body" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "webhook_deliveries" where "channel" like 'endpoint:%';`);
    this.addSql(`drop index "webhook_deliveries_endpoint_event_index";`);
    this.addSql(`alter table "webhook_deliveries" drop column "body";`);
    this.addSql(`delete from "webhook_channels" where "endpoint_id" is not null;`);
    this.addSql(`alter table "webhook_channels" drop constraint "webhook_channels_channel_check";`);
    this.addSql(`alter table "webhook_channels" add constraint "webhook_channels_channel_check" check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'));`);
    this.addSql(`alter table "webhook_channels" drop column "endpoint_id", drop column "signing_secret", drop column "previous_signing_secret", drop column "previous_secret_expires_at";`);
    this.addSql(`drop table "webhook_endpoints";`);
  }
}
