import { Migration } from '@mikro-orm/migrations';

/**
 * The position of the newest event the purge has deleted. A cursor below it has lost an
 * event after it and is refused (CURSOR_EXPIRED); one at or after it reads on without a gap.
 */
export class Migration20261129000000_events_purged extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "events_purged" (
      "id" smallint primary key default 1 check ("id" = 1),
      "txid" xid8 not null default '0',
      "seq" bigint not null default 0);`);
    this.addSql(`insert into "events_purged" ("id") values (1);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "events_purged";`);
  }
}
