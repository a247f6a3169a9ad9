import { LockMode, type FilterQuery, type MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Document, type IDocument } from '../domain/documents/document.entity.js';
import { DOCUMENT_STATUSES, LOCKED_STATUSES, TRANSITIONS } from '../domain/documents/lifecycle.js';
import type { EventSettings } from '../domain/events-context.js';
import { targetStatus } from './apply-action.js';
import type { RuleRow } from './definition.js';
import { evaluateConditions } from './evaluate.js';
import { recordExecution } from './executions.js';
import { selectRules } from './rule-store.js';
import { runRuleOn } from './run-rule.js';

const BATCH_SIZE = 200;

export type ScheduleRunResult = { examined: number; recorded: number; stopped: boolean };

/**
 * The documents a schedule's action could apply to: in the rule's scope, in a status from
 * which the lifecycle allows the move (so not already there), or, for MOVE_FOLDER, unlocked
 * and not in the folder yet. Conditions are evaluated on these, in code, as on READY.
 */
export function candidates(rule: RuleRow, afterId: number): FilterQuery<IDocument> {
  const where: Record<string, unknown> = { id: { $gt: afterId } };
  if (rule.profileId !== null) where.profile = rule.profileId;
  if (rule.contactId !== null) where.contact = rule.contactId;
  const target = targetStatus(rule.action);
  if (target !== null) where.status = { $in: DOCUMENT_STATUSES.filter((s) => TRANSITIONS[s].includes(target)) };
  else {
    where.status = { $nin: [...LOCKED_STATUSES] };
    where.folder = { $ne: rule.action.folderId! };
  }
  return where as FilterQuery<IDocument>;
}

/**
 * One run of a claimed schedule over every candidate, in id order and in batches. Each
 * matching document is changed and recorded in a transaction of its own, on the locked row
 * and after evaluating its conditions again. The run ends early when the rule is disabled
 * or deleted meanwhile, or when `shouldStop` says so (the next interval carries on).
 */
export async function runSchedule(
  orm: MikroORM,
  rule: RuleRow,
  settings: EventSettings,
  shouldStop: () => boolean,
  log: Logger,
): Promise<ScheduleRunResult> {
  const result: ScheduleRunResult = { examined: 0, recorded: 0, stopped: false };
  let after = 0;
  for (;;) {
    const batch = await orm.em.fork().find(Document, candidates(rule, after), {
      orderBy: { id: 'asc' },
      limit: BATCH_SIZE,
    });
    if (batch.length === 0) return result;
    after = batch[batch.length - 1]!.id;
    for (const doc of batch) {
      if (shouldStop()) return { ...result, stopped: true };
      result.examined++;
      const evaluation = evaluateConditions(rule.conditions, doc, new Date());
      if (!evaluation.matched && !evaluation.problem) continue;
      const outcome = await runOnDocument(orm, rule, doc.id, settings, log);
      if (outcome === 'rule-gone') return { ...result, stopped: true };
      if (outcome === 'recorded') result.recorded++;
    }
  }
}

async function runOnDocument(
  orm: MikroORM,
  rule: RuleRow,
  documentId: number,
  settings: EventSettings,
  log: Logger,
): Promise<'recorded' | 'nothing' | 'rule-gone'> {
  try {
    return await orm.em.fork().transactional(async (tx) => {
      // KEY SHARE holds off a delete of the rule until this execution is recorded.
      const [live] = await selectRules(tx, 'where r.id = ? and r.enabled for key share', [rule.id]);
      if (!live) return 'rule-gone';
      const doc = await tx.findOne(Document, documentId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!doc) return 'nothing';
      const recorded = await runRuleOn(tx, rule, doc, settings, { now: new Date(), recordUnmatched: false });
      return recorded ? 'recorded' : 'nothing';
    });
  } catch (err) {
    log.error({ err, ruleId: rule.id, documentId }, 'a scheduled rule failed on a document');
    await orm.em
      .fork()
      .transactional((tx) =>
        recordExecution(tx, rule, documentId, { outcome: 'FAILED', detail: null, error: err instanceof Error ? err.message : String(err) }),
      )
      .catch((recordErr: unknown) => log.error({ err: recordErr, ruleId: rule.id, documentId }, 'recording a failed rule execution failed'));
    return 'recorded';
  }
}
