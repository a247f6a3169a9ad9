import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError } from '../../errors.js';
import { documentPayload } from '../../events/payloads.js';
import { recordEvent } from '../../outbox/record-event.js';
import { afterStatusChange } from '../../rules/document-ready.js';
import type { EventSettings } from '../events-context.js';
import { Folder } from '../folders/folder.entity.js';
import { ExtractionProfile, type IExtractionProfile } from '../profiles/extraction-profile.entity.js';
import { LIMITS, confidenceScore, jsonObject, optionalText, parseId, requiredText } from '../validate.js';
import { Document, type DocumentSource, type IDocument } from './document.entity.js';
import { applyFieldChanges, assertProfileKeys, parseFieldChanges } from './extracted-fields.js';
import {
  EXPORTABLE_STATUSES,
  EXTRACTABLE_STATUSES,
  assertTransition,
  type DocumentStatus,
} from './lifecycle.js';
import { parseLineItems, type LineItemInput } from './line-items.js';

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

export async function setDocumentStatus(em: EntityManager, id: string, status: DocumentStatus, settings: EventSettings) {
  return em.transactional(async (tx) => {
    const doc = await lockDocument(tx, id);
    if (doc.status === status) return doc;
    assertTransition(doc.status, status);
    moveTo(doc, status);
    await tx.flush();
    if (status === 'EXPORT') await recordExported(tx, doc, settings);
    await afterStatusChange(tx, doc, settings);
    return doc;
  });
}

/** The "Webhook Export" button: APPROVED → EXPORT; on an exported document, exports again. */
export async function exportDocument(em: EntityManager, id: string, settings: EventSettings) {
  return em.transactional(async (tx) => {
    const doc = await lockDocument(tx, id);
    if (!EXPORTABLE_STATUSES.includes(doc.status)) {
      throw new ValidationError(`Document ${doc.id} is ${doc.status}; only ${EXPORTABLE_STATUSES.join(' or ')} documents can be exported`, {
        field: 'status',
        status: doc.status,
      });
    }
    moveTo(doc, 'EXPORT');
    await tx.flush();
    await recordExported(tx, doc, settings);
    return doc;
  });
}

/** Records document.exported with the payload as it is now: what was exported is what gets delivered. */
export async function recordExported(tx: EntityManager, doc: IDocument, settings: EventSettings) {
  const [contact, folder] = await Promise.all([doc.contact.loadOrFail(), doc.folder.loadOrFail()]);
  const payload = documentPayload(
    { ...doc, contact: { id: contact.id, name: contact.name }, folder: { id: folder.id, name: folder.name } },
    settings.publicUrl,
  );
  await recordEvent(tx, { type: 'document.exported', entityId: doc.id, payload }, settings.maxPayloadBytes);
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
