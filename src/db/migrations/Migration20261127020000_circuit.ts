import { Migration } from '@mikro-orm/migrations';

/** A channel's failed attempts in a row, for the circuit breaker; the deliveries in flight, found by index. */
export class Migration20261127020000_circuit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_channels" add column "consecutive_failures" int not null default 0;`);
    // A claimed delivery keeps leased_by until its attempt is recorded: these are the ones in flight.
    this.addSql(`create index "webhook_deliveries_in_flight_index" on "webhook_deliveries" ("channel") where "status" = 'PENDING' and "leased_by" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_deliveries_in_flight_index";`);
    this.addSql(`alter table "webhook_channels" drop column "consecutive_failures";`);
  }
}
