import { Migration } from '@mikro-orm/migrations';

/** The signing secret before the last rotation, still signed with until it expires. */
export class Migration20261127030000_secret_overlap extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_settings" add column "previous_signing_secret" text null, add column "previous_secret_expires_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_settings" drop column "previous_signing_secret", drop column "previous_secret_expires_at";`);
  }
}
