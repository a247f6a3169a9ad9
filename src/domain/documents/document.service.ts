import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Sql } from '../../db/sql.js';
import { transactionChanges } from '../../outbox/event-hints.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { EventSettings } from '../events-context.js';
import { Folder } from '../folders/folder.entity.js';
import { ExtractionProfile, type IExtractionProfile } from '../profiles/extraction-profile.entity.js';
import { LIMITS, confidenceScore, jsonObject, optionalText, parseId, requiredText } from '../validate.js';
import { Document, type DocumentSource, type IDocument } from './document.entity.js';
import { applyFieldChanges, assertProfileKeys, parseFieldChanges } from './extracted-fields.js';
import type { DocumentHooks } from './document-hooks.js';
import type { DocumentModel } from './document-model.js';
import { EXPORTABLE_STATUSES, EXTRACTABLE_STATUSES, assertTransition, statusesInto, type DocumentStatus } from './lifecycle.js';
import { parseLineItems, type LineItemInput } from './line-items.js';
import { moveStatus, type StatusMove } from './move-status.js';

export async function createDocument(
  em: EntityManager,
  input: { folderId: string; filename: string; originalFilename?: string | null; source?: DocumentSource | null; profileId?: string | null; externalRefs?: unknown },
) {
  const filename = requiredText('filename', input.filename, LIMITS.filename);
  const originalFilename = input.originalFilename == null ? filename : requiredText('originalFilename', input.originalFilename, LIMITS.filename);
  const externalRefs = input.externalRefs == null ? {} : jsonObject('externalRefs', input.externalRefs, LIMITS.externalRefsBytes);
  const folder = await em.findOne(Folder, parseId('folderId', input.folderId), { populate: ['contact'] });
  if (!folder) throw new NotFoundError('Folder', input.folderId);
  const contact = folder.contact.getEntity();
  let profile: IExtractionProfile | null = null;
  if (input.profileId != null) {
    profile = await em.findOne(ExtractionProfile, parseId('profileId', input.profileId));
    if (!profile) throw new NotFoundError('ExtractionProfile', input.profileId);
  } else if (contact.defaultProfile) {
    profile = await contact.defaultProfile.load();
  }
  const doc = em.create(Document, {
    filename,
    originalFilename,
    source: input.source ?? 'API',
    status: 'NEW',
    contact,
    folder,
    profile,
    externalRefs,
  });
  await em.flush();
  return doc;
}

export async function recordExtraction(
  em: EntityManager,
  id: string,
  input: {
    docType?: string | null;
    docDate?: string | null;
    aiSummary?: string | null;
    confidenceScore: number;
    confidenceReasoning?: string | null;
    fields?: unknown;
    lineItems?: LineItemInput[] | null;
  },
) {
  const score = confidenceScore(input.confidenceScore);
  const fields = input.fields == null ? undefined : parseFieldChanges(input.fields);
  const lineItems = parseLineItems(input.lineItems ?? []);
  return em.transactional(async (tx) => {
    const doc = await lockDocument(tx, id);
    if (!EXTRACTABLE_STATUSES.includes(doc.status)) {
      throw new ValidationError(
        `Document ${doc.id} is ${doc.status}; an extraction is recorded only on ${EXTRACTABLE_STATUSES.join(', ')}`,
        { field: 'status', status: doc.status },
      );
    }
    const profile = doc.profile ? await doc.profile.load() : null;
    if (fields) assertProfileKeys(fields, profile && { name: profile.name, keys: profile.fields.map((f) => f.key) });
    tx.assign(doc, {
      docType: optionalText('docType', input.docType ?? null, LIMITS.docType),
      docDate: input.docDate ?? null,
      aiSummary: optionalText('aiSummary', input.aiSummary ?? null, LIMITS.aiSummary),
      confidenceScore: score,
      confidenceReasoning: optionalText('confidenceReasoning', input.confidenceReasoning ?? null, LIMITS.confidenceReasoning),
      // Keys can be longer than the labels they come from: the stored object is measured again.
      extractedFields: fields ? jsonObject('extractedFields', applyFieldChanges({}, fields), LIMITS.extractedFieldsBytes) : {},
      lineItems,
    });
    moveTo(doc, 'NEEDS_REVIEW');
    await tx.flush();
    return doc;
  });
}

/** What a status change needs: where its statement runs, and the hook a change into READY calls. */
export type StatusChanges = {
  sql: Sql;
  em: EntityManager;
  settings: EventSettings;
  hooks: DocumentHooks;
};

export async function setDocumentStatus(changes: StatusChanges, id: string, status: DocumentStatus): Promise<DocumentModel> {
  const documentId = parseId('id', id);
  const move = { documentId, to: status, from: [status, ...statusesInto(status)], exportAgain: false };
  if (status !== 'READY') return allowedMove(await moveStatus(changes.sql, move, changes.settings), id, status);
  // What happens on entering READY (the rules) commits with the move, or not at all.
  return changes.em.transactional(async (tx) => {
    const result = await moveStatus(transactionChanges(tx), move, changes.settings);
    const doc = allowedMove(result, id, status);
    if (!result.moved) return doc;
    await changes.hooks.enteredReady(tx, documentId);
    return tx.findOneOrFail(Document, documentId);
  });
}

/** The "Webhook Export" button: APPROVED → EXPORT; on an exported document, exports again. */
export async function exportDocument(changes: Pick<StatusChanges, 'sql' | 'settings'>, id: string): Promise<DocumentModel> {
  const documentId = parseId('id', id);
  const result = await moveStatus(changes.sql, { documentId, to: 'EXPORT', from: EXPORTABLE_STATUSES, exportAgain: true }, changes.settings);
  if (!result.document) throw new NotFoundError('Document', id);
  if (!result.moved) {
    throw new ValidationError(`Document ${documentId} is ${result.from}; only ${EXPORTABLE_STATUSES.join(' or ')} documents can be exported`, {
      field: 'status',
      status: result.from,
    });
  }
  return result.document;
}

/** The moved document, or the error that says why it could not move. */
function allowedMove(result: StatusMove, id: string, to: DocumentStatus): DocumentModel {
  if (!result.document) throw new NotFoundError('Document', id);
  if (!result.moved && result.from !== to) assertTransition(result.from!, to);
  return result.document;
}

function moveTo(doc: IDocument, status: DocumentStatus) {
  if (doc.status !== status) {
    doc.status = status;
    doc.statusChangedAt = new Date();
  }
}

async function lockDocument(tx: EntityManager, id: string) {
  // The row lock orders concurrent changes of one document, so its events are logged in order.
  const doc = await tx.findOne(Document, parseId('id', id), { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!doc) throw new NotFoundError('Document', id);
  return doc;
}
