import type { EntityManager } from '@mikro-orm/postgresql';
import type { IDocument } from '../domain/documents/document.entity.js';
import type { EventSettings } from '../domain/events-context.js';
import { applyAction } from './apply-action.js';
import type { RuleRow } from './definition.js';
import { evaluateConditions } from './evaluate.js';
import { recordExecution, type ExecutionResult } from './executions.js';

/**
 * One rule on one locked document, inside the caller's transaction: evaluate, apply, record.
 * An unmatched document is recorded (SKIPPED, with the unmet conditions) when `recordUnmatched`
 * is set or when one of its values could not be compared; returns what was recorded.
 */
export async function runRuleOn(
  tx: EntityManager,
  rule: RuleRow,
  doc: IDocument,
  settings: EventSettings,
  opts: { now: Date; recordUnmatched: boolean },
): Promise<ExecutionResult | null> {
  const evaluation = evaluateConditions(rule.conditions, doc, opts.now);
  let result: ExecutionResult;
  if (!evaluation.matched) {
    if (!opts.recordUnmatched && !evaluation.problem) return null;
    result = { outcome: 'SKIPPED', detail: `conditions not met: ${evaluation.detail}`, error: evaluation.problem };
  } else {
    const applied = await applyAction(tx, rule.action, doc, settings);
    result = { ...applied, detail: [evaluation.detail, applied.detail].filter(Boolean).join('; ') };
  }
  await recordExecution(tx, rule, doc.id, result);
  return result;
}
