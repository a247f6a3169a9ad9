import { Migration } from '@mikro-orm/migrations';

/**
 * An attempt carries its delivery's target (`channel`: DOCUMENT, CONTACT, FOLDER, OPERATIONS
 * or `endpoint:<id>`, as webhook_deliveries.channel), so that the webhook overview reads the
 * attempts of its window from one index, without looking up each attempt's delivery.
 *
 * Only the attempts of the last day are filled in: the overview's longest window is a day
 * (MAX_OVERVIEW_MINUTES, 1,440), so an older attempt never enters it, and filling in the whole
 * log would rewrite every row of it for nothing. An attempt left without its channel (older,
 * or written by an instance of the previous release during a rolling upgrade) is still counted
 * right: the overview then looks up its delivery's channel.
 *
 * The index on `started_at` carries what the overview reads of an attempt, so that the window
 * is read from the index alone where the table's pages are all-visible; `delivery_id` is there
 * for the lookup of an attempt without its channel.
 */
export class Migration20261208000000_attempts_channel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_attempts" add column "channel" text null;`);
    this.addSql(`update "webhook_attempts" a set "channel" = d."channel"
      from "webhook_deliveries" d
      where d."id" = a."delivery_id" and a."started_at" >= now() - interval '1 day';`);
    this.addSql(`create index "webhook_attempts_started_at_overview_index" on "webhook_attempts" ("started_at") include ("channel", "ok", "duration_ms", "delivery_id");`);
    this.addSql(`drop index "webhook_attempts_started_at_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "webhook_attempts_started_at_index" on "webhook_attempts" ("started_at");`);
    this.addSql(`drop index "webhook_attempts_started_at_overview_index";`);
    this.addSql(`alter table "webhook_attempts" drop column "channel";`);
  }
}
