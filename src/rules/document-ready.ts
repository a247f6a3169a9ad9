import type { EntityManager } from '@mikro-orm/postgresql';
import type { IDocument } from '../domain/documents/document.entity.js';
import type { EventSettings } from '../domain/events-context.js';
import { selectRules } from './rule-store.js';
import { runRuleOn } from './run-rule.js';

/**
 * Called by setDocumentStatus inside its transaction, after the document's status changed:
 * when the document reached READY, every enabled DOCUMENT_READY rule in its scope runs once,
 * in id order, each on the document as the rules before it left it. An automatic export
 * and its event commit with the user's change, or not at all.
 *
 * Loops cannot happen: a rule's own changes (applyAction) never pass through
 * setDocumentStatus, so nothing a rule does triggers a rule.
 */
export async function afterStatusChange(tx: EntityManager, doc: IDocument, settings: EventSettings): Promise<void> {
  if (doc.status !== 'READY') return;
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
