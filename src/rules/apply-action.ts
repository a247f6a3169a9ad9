import { ref, type EntityManager } from '@mikro-orm/postgresql';
import type { IDocument } from '../domain/documents/document.entity.js';
import { moveStatus } from '../domain/documents/move-status.js';
import { transactionChanges } from '../outbox/event-hints.js';
import { LOCKED_STATUSES, TRANSITIONS, type DocumentStatus } from '../domain/documents/lifecycle.js';
import type { EventSettings } from '../domain/events-context.js';
import { Folder } from '../domain/folders/folder.entity.js';
import type { RuleActionRow } from './definition.js';
import type { ExecutionResult } from './executions.js';

/** The status an action moves a document to (null: it moves folders, not statuses). */
export function targetStatus(action: RuleActionRow): DocumentStatus | null {
  if (action.type === 'FLAG_REVIEW') return 'NEEDS_REVIEW';
  if (action.type === 'SET_STATUS') return action.status;
  return null;
}

/**
 * Applies a rule's action to a locked document inside the caller's transaction, within the
 * lifecycle: a move the lifecycle table forbids, or an edit of a locked document, is SKIPPED
 * with the reason, never thrown. Anything that fails while applying is rolled back to a
 * savepoint and reported FAILED, so that the change that triggered the rule still commits.
 */
export async function applyAction(tx: EntityManager, action: RuleActionRow, doc: IDocument, settings: EventSettings): Promise<ExecutionResult> {
  if (action.type === 'MOVE_FOLDER') return moveFolder(tx, action.folderId!, doc);
  const target = targetStatus(action)!;
  const from: DocumentStatus = doc.status;
  if (from === target) return { outcome: 'SKIPPED', detail: `already ${target}`, error: null };
  if (!TRANSITIONS[from].includes(target)) {
    return { outcome: 'SKIPPED', detail: null, error: `The lifecycle does not allow ${from} → ${target}` };
  }
  return guarded(tx, doc, async () => {
    // The same statement as the API's status changes, and so the same document.exported.
    await moveStatus(transactionChanges(tx), { documentId: doc.id, to: target, from: [from], exportAgain: false }, settings);
    await tx.refresh(doc);
    return `status ${from} → ${target}`;
  });
}

async function moveFolder(tx: EntityManager, folderId: number, doc: IDocument): Promise<ExecutionResult> {
  const from = doc.folder.id;
  if (from === folderId) return { outcome: 'SKIPPED', detail: `already in folder ${folderId}`, error: null };
  if (LOCKED_STATUSES.includes(doc.status)) {
    return { outcome: 'SKIPPED', detail: null, error: `Document ${doc.id} is ${doc.status} and locked against edits` };
  }
  const folder = await tx.findOne(Folder, folderId);
  if (!folder) return { outcome: 'FAILED', detail: null, error: `Folder ${folderId} does not exist` };
  if (folder.contact.id !== doc.contact.id) {
    return {
      outcome: 'SKIPPED',
      detail: null,
      error: `Folder ${folderId} belongs to contact ${folder.contact.id}, document ${doc.id} to contact ${doc.contact.id}`,
    };
  }
  return guarded(tx, doc, async () => {
    doc.folder = ref(folder);
    await tx.flush();
    return `folder ${from} → ${folderId}`;
  });
}

async function guarded(tx: EntityManager, doc: IDocument, apply: () => Promise<string>): Promise<ExecutionResult> {
  await tx.execute('savepoint rule_action');
  try {
    const detail = await apply();
    await tx.execute('release savepoint rule_action');
    return { outcome: 'APPLIED', detail, error: null };
  } catch (err) {
    await tx.execute('rollback to savepoint rule_action');
    // The entity still holds what was rolled back; the row is the truth again.
    await tx.refresh(doc);
    return { outcome: 'FAILED', detail: null, error: err instanceof Error ? err.message : String(err) };
  }
}
