import { Migration } from '@mikro-orm/migrations';

/**
 * Inspectors: temporary receiving URLs hosted by the service (/inspect/<id>). Kept in the
 * database, not in memory, so that any instance behind a balancer can take a request and
 * any instance can show it; a request row goes with its inspector.
 */
export class Migration20261129020000_inspectors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "inspectors" (
      "id" varchar(40) not null primary key,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null
    );`);
    this.addSql(`create index "inspectors_expires_at_index" on "inspectors" ("expires_at");`);
    this.addSql(`create table "inspector_requests" (
      "id" bigserial primary key,
      "inspector_id" varchar(40) not null references "inspectors" ("id") on delete cascade,
      "received_at" timestamptz not null default now(),
      "method" varchar(16) not null,
      "path" text not null,
      "headers" jsonb not null,
      "body" text not null,
      "size" int not null,
      "body_truncated" boolean not null
    );`);
    this.addSql(`create index "inspector_requests_inspector_id_id_index" on "inspector_requests" ("inspector_id", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "inspector_requests";`);
    this.addSql(`drop table "inspectors";`);
  }
}
