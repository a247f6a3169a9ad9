import { Migration } from '@mikro-orm/migrations';

/** The rules engine: rules and the log of their executions. */
export class Migration20261127010000_rules extends Migration {
  override async up(): Promise<void> {
    // A profile, contact or folder that a rule names cannot be deleted under it (no action):
    // a rule that silently lost its scope would act on more documents than its author chose.
    this.addSql(`create table "rules" (
      "id" serial primary key,
      "name" varchar(200) not null,
      "enabled" boolean not null default true,
      "trigger" text not null check ("trigger" in ('DOCUMENT_READY', 'SCHEDULE')),
      "interval_minutes" int null check ("interval_minutes" >= 1),
      "profile_id" int null references "extraction_profiles" ("id"),
      "contact_id" int null references "contacts" ("id"),
      "conditions" jsonb not null,
      "action_type" text not null check ("action_type" in ('SET_STATUS', 'FLAG_REVIEW', 'MOVE_FOLDER')),
      "action_status" "document_status" null,
      "action_folder_id" int null references "folders" ("id"),
      "next_run_at" timestamptz null,
      "last_run_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      check (("trigger" = 'SCHEDULE') = ("interval_minutes" is not null and "next_run_at" is not null)));`);
    this.addSql(`create index "rules_due_index" on "rules" ("next_run_at", "id") where "enabled" and "trigger" = 'SCHEDULE';`);
    this.addSql(`create index "rules_document_ready_index" on "rules" ("id") where "enabled" and "trigger" = 'DOCUMENT_READY';`);

    // Executions outlive their rule (rule_id becomes null, rule_name stays): an automatic
    // export stays explained after its rule is deleted.
    this.addSql(`create table "rule_executions" (
      "id" bigserial primary key,
      "rule_id" int null references "rules" ("id") on delete set null,
      "rule_name" varchar(200) not null,
      "trigger" text not null check ("trigger" in ('DOCUMENT_READY', 'SCHEDULE')),
      "document_id" int not null references "documents" ("id") on delete cascade,
      "outcome" text not null check ("outcome" in ('APPLIED', 'SKIPPED', 'FAILED')),
      "detail" text null,
      "error" text null,
      "executed_at" timestamptz not null default clock_timestamp());`);
    this.addSql(`create index "rule_executions_rule_id_index" on "rule_executions" ("rule_id", "id");`);
    this.addSql(`create index "rule_executions_document_id_index" on "rule_executions" ("document_id", "id");`);
  }
}
