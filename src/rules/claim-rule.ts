import type { EntityManager } from '@mikro-orm/postgresql';
import type { RuleRow } from './definition.js';
import { RULE_COLUMNS, toRuleRow, type RawRule } from './rule-store.js';

/**
 * One statement claims the most overdue schedule for this instance and moves its next run
 * one interval on, so that each interval runs once across all instances: a rule another
 * instance is claiming is skipped (SKIP LOCKED), and once claimed it is no longer due. The
 * schedule lives in the row, so it carries on after a restart.
 */
const CLAIM_SQL = `
with due as (
  select id from rules
  where enabled and trigger = 'SCHEDULE' and next_run_at <= now()
  order by next_run_at, id
  limit 1
  for update skip locked
)
update rules r
set next_run_at = now() + make_interval(mins => r.interval_minutes), last_run_at = now()
from due where r.id = due.id
returning ${RULE_COLUMNS}`;

export async function claimDueRule(em: EntityManager): Promise<RuleRow | undefined> {
  const rows = await em.execute<RawRule[]>(CLAIM_SQL);
  return rows[0] ? toRuleRow(rows[0]) : undefined;
}
