import { Migration } from '@mikro-orm/migrations';

/** The OPERATIONS channel: events about the webhooks themselves, sent to an operations URL. */
export class Migration20261129010000_operations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "events" drop constraint "events_channel_check";`);
    this.addSql(`alter table "events" add constraint "events_channel_check" check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'));`);
    this.addSql(`alter table "webhook_channels" drop constraint "webhook_channels_channel_check";`);
    this.addSql(`alter table "webhook_channels" add constraint "webhook_channels_channel_check" check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'));`);
    this.addSql(`insert into "webhook_channels" ("channel") values ('OPERATIONS');`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "events" where "channel" = 'OPERATIONS';`);
    this.addSql(`delete from "webhook_deliveries" where "channel" = 'OPERATIONS';`);
    this.addSql(`delete from "webhook_channels" where "channel" = 'OPERATIONS';`);
    this.addSql(`alter table "webhook_channels" drop constraint "webhook_channels_channel_check";`);
    this.addSql(`alter table "webhook_channels" add constraint "webhook_channels_channel_check" check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER'));`);
    this.addSql(`alter table "events" drop constraint "events_channel_check";`);
    this.addSql(`alter table "events" add constraint "events_channel_check" check ("channel" in ('DOCUMENT', 'CONTACT', 'FOLDER'));`);
  }
}
