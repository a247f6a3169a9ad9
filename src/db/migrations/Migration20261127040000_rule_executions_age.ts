import { Migration } from '@mikro-orm/migrations';

/** Rule executions are purged by age (RULE_EXECUTIONS_RETENTION): found by index, oldest first. */
export class Migration20261127040000_rule_executions_age extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "rule_executions_executed_at_index" on "rule_executions" ("executed_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "rule_executions_executed_at_index";`);
  }
}
