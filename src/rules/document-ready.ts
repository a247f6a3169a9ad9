import type { EntityManager } from '@mikro-orm/postgresql';
import { Document } from '../domain/documents/document.entity.js';
import type { EventSettings } from '../domain/events-context.js';
import { selectRules } from './rule-store.js';
import { runRuleOn } from './run-rule.js';

/**
 * The hook of a document entering READY (DocumentHooks.enteredReady), inside the transaction
 * of the change: every enabled DOCUMENT_READY rule in the document's scope runs once, in id
 * order, each on the document as the rules before it left it. An automatic export and its
 * event commit with the user's change, or not at all.
 *
 * Loops cannot happen: a rule's own status changes (applyAction) do not call the hook, so
 * nothing a rule does triggers a rule.
 */
export async function runReadyRules(tx: EntityManager, documentId: number, settings: EventSettings): Promise<void> {
  const doc = await tx.findOneOrFail(Document, documentId);
  const rules = await selectRules(
    tx,
    `where r.enabled and r.trigger = 'DOCUMENT_READY'
       and (r.profile_id is null or r.profile_id = ?) and (r.contact_id is null or r.contact_id = ?)
     order by r.id`,
    [doc.profile?.id ?? null, doc.contact.id],
  );
  const now = new Date();
  for (const rule of rules) await runRuleOn(tx, rule, doc, settings, { now, recordUnmatched: true });
}
