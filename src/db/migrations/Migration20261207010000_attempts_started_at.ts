import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook overview reads the attempts of the last minutes or hours: by when they started,
 * so that its cost follows the window, not the size of the delivery log.
 */
export class Migration20261207010000_attempts_started_at extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "webhook_attempts_started_at_index" on "webhook_attempts" ("started_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_attempts_started_at_index";`);
  }
}
