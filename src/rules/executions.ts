import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../db/delete-in-batches.js';
import { Document } from '../domain/documents/document.entity.js';
import { parseId } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import type { RuleOutcome, RuleRow, RuleTrigger } from './definition.js';

/** One run of one rule on one document, as `ruleExecutions` lists it. */
export type ExecutionRow = {
  id: string;
  ruleId: number | null;
  ruleName: string;
  trigger: RuleTrigger;
  documentId: number;
  outcome: RuleOutcome;
  detail: string | null;
  error: string | null;
  executedAt: Date;
};

export type ExecutionResult = { outcome: RuleOutcome; detail: string | null; error: string | null };

/** Inside the transaction of the change it describes: an execution commits or rolls back with it. */
export async function recordExecution(tx: EntityManager, rule: RuleRow, documentId: number, result: ExecutionResult): Promise<void> {
  await tx.execute(
    `insert into rule_executions (rule_id, rule_name, trigger, document_id, outcome, detail, error) values (?, ?, ?, ?, ?, ?, ?)`,
    [rule.id, rule.name, rule.trigger, documentId, result.outcome, result.detail, result.error],
  );
}

/** Deletes executions older than `retentionMs` (RULE_EXECUTIONS_RETENTION), oldest first; returns how many. */
export function purgeExecutions(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
  return deleteInBatches(
    em,
    `delete from rule_executions where id in (
       select id from rule_executions where executed_at < now() - make_interval(secs => ?) order by executed_at limit ?)
     returning 1`,
    [retentionMs / 1000],
    batch,
  );
}

type RawExecution = {
  id: string;
  rule_id: number | null;
  rule_name: string;
  trigger: RuleTrigger;
  document_id: number;
  outcome: RuleOutcome;
  detail: string | null;
  error: string | null;
  executed_at: Date;
};

/** Newest first; the cursor is the execution id. Unknown rule or document ids are NOT_FOUND. */
export async function listExecutions(
  em: EntityManager,
  filter: { ruleId?: string | null; documentId?: string | null },
  first: number,
  after: number | undefined,
): Promise<ExecutionRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.ruleId != null) {
    const ruleId = parseId('ruleId', filter.ruleId);
    const [rule] = await em.execute<{ id: number }[]>(`select id from rules where id = ?`, [ruleId]);
    if (!rule) throw new NotFoundError('Rule', filter.ruleId);
    where.push('rule_id = ?');
    params.push(ruleId);
  }
  if (filter.documentId != null) {
    const documentId = parseId('documentId', filter.documentId);
    if (!(await em.count(Document, documentId))) throw new NotFoundError('Document', filter.documentId);
    where.push('document_id = ?');
    params.push(documentId);
  }
  if (after !== undefined) {
    where.push('id < ?');
    params.push(after);
  }
  const rows = await em.execute<RawExecution[]>(
    `select id::text as id, rule_id, rule_name, trigger, document_id, outcome, detail, error, executed_at
     from rule_executions ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit ?`,
    [...params, first + 1],
  );
  return rows.map((r) => ({
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    trigger: r.trigger,
    documentId: r.document_id,
    outcome: r.outcome,
    detail: r.detail,
    error: r.error,
    executedAt: r.executed_at,
  }));
}

/** When each rule last ran on a document (null: never). */
export async function lastExecutionTimes(em: EntityManager, ruleIds: readonly number[]): Promise<(Date | null)[]> {
  const rows = await em.execute<{ rule_id: number; executed_at: Date }[]>(
    `select distinct on (rule_id) rule_id, executed_at from rule_executions
     where rule_id in (select value::int from jsonb_array_elements_text(?::jsonb)) order by rule_id, id desc`,
    [JSON.stringify(ruleIds)],
  );
  const byRule = new Map(rows.map((r) => [r.rule_id, r.executed_at]));
  return ruleIds.map((id) => byRule.get(id) ?? null);
}
