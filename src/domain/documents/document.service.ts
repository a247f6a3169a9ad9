import { LockMode, ref, type EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError, describeValue } from '../../errors.js';
import { documentPayload } from '../../events/payloads.js';
import { recordEvent } from '../../outbox/record-event.js';
import { afterStatusChange } from '../../rules/document-ready.js';
import type { EventSettings } from '../events-context.js';
import { Folder } from '../folders/folder.entity.js';
import { ExtractionProfile, type IExtractionProfile } from '../profiles/extraction-profile.entity.js';
import { fieldKey } from '../profiles/field-key.js';
import { LIMITS, confidenceScore, jsonObject, optionalText, parseId, requiredText } from '../validate.js';
import { Document, type DocumentSource, type IDocument, type LineItem } from './document.entity.js';
import {
  EXPORTABLE_STATUSES,
  EXTRACTABLE_STATUSES,
  assertEditable,
  assertTransition,
  type DocumentStatus,
} from './lifecycle.js';

export type LineItemInput = { description: string; quantity: number; unitPrice: number; amount: number };

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
  return em.transactional(async (tx) => {
    const doc = await lockDocument(tx, id);
    if (!EXTRACTABLE_STATUSES.includes(doc.status)) {
      throw new ValidationError(
        `Document ${doc.id} is ${doc.status}; an extraction is recorded only on ${EXTRACTABLE_STATUSES.join(', ')}`,
        { field: 'status', status: doc.status },
      );
    }
    const profile = doc.profile ? await doc.profile.load() : null;
    tx.assign(doc, {
      docType: optionalText('docType', input.docType ?? null, LIMITS.docType),
      docDate: input.docDate ?? null,
      aiSummary: optionalText('aiSummary', input.aiSummary ?? null, LIMITS.aiSummary),
      confidenceScore: score,
      confidenceReasoning: optionalText('confidenceReasoning', input.confidenceReasoning ?? null, LIMITS.confidenceReasoning),
      extractedFields: input.fields == null ? {} : keyedFields(input.fields, profile, {}),
      lineItems: lineItems(input.lineItems ?? []),
    });
    moveTo(doc, 'NEEDS_REVIEW');
    await tx.flush();
    return doc;
  });
}

export async function updateDocument(
  em: EntityManager,
  id: string,
  input: {
    docType?: string | null;
    docDate?: string | null;
    aiSummary?: string | null;
    fields?: unknown;
    lineItems?: LineItemInput[] | null;
    externalRefs?: unknown;
    folderId?: string | null;
  },
) {
  return em.transactional(async (tx) => {
    const doc = await lockDocument(tx, id);
    assertEditable(doc.status, doc.id);
    const changes: Partial<IDocument> = {};
    if (input.docType !== undefined) changes.docType = optionalText('docType', input.docType, LIMITS.docType);
    if (input.docDate !== undefined) changes.docDate = input.docDate;
    if (input.aiSummary !== undefined) changes.aiSummary = optionalText('aiSummary', input.aiSummary, LIMITS.aiSummary);
    if (input.fields !== undefined && input.fields !== null) {
      const profile = doc.profile ? await doc.profile.load() : null;
      changes.extractedFields = keyedFields(input.fields, profile, doc.extractedFields);
    }
    if (input.lineItems != null) changes.lineItems = lineItems(input.lineItems);
    if (input.externalRefs !== undefined) {
      changes.externalRefs = input.externalRefs === null ? {} : jsonObject('externalRefs', input.externalRefs, LIMITS.externalRefsBytes);
    }
    if (input.folderId != null) {
      const folder = await tx.findOne(Folder, parseId('folderId', input.folderId));
      if (!folder) throw new NotFoundError('Folder', input.folderId);
      if (folder.contact.id !== doc.contact.id) {
        throw new ValidationError(`Folder ${folder.id} belongs to another contact than document ${doc.id}`, { field: 'folderId', value: input.folderId });
      }
      changes.folder = ref(folder);
    }
    tx.assign(doc, changes);
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

/**
 * Extracted values keyed by the snake_case of their label. With a profile, a label or key
 * the profile does not define is refused; null removes a field.
 */
function keyedFields(fields: unknown, profile: IExtractionProfile | null, base: Record<string, unknown>): Record<string, unknown> {
  const object = jsonObject('fields', fields, LIMITS.extractedFieldsBytes);
  const known = profile ? new Set(profile.fields.map((f) => f.key)) : undefined;
  const result: Record<string, unknown> = { ...base };
  for (const [label, value] of Object.entries(object)) {
    const key = fieldKey(label);
    if (key === '' || (known && !known.has(key))) {
      throw new ValidationError(
        known
          ? `fields.${label} is not a field of extraction profile ${describeValue(profile!.name)} (its keys: ${[...known].join(', ')})`
          : `fields key ${describeValue(label)} has no letters or digits`,
        { field: `fields.${label}`, value: label },
      );
    }
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new ValidationError(`fields.${label} must be a string, number, boolean or null, not ${describeValue(value)}`, {
        field: `fields.${label}`,
        value,
      });
    }
    if (typeof value === 'string' && value.length > LIMITS.fieldValue) {
      throw new ValidationError(`fields.${label} is ${value.length} characters long; the limit is ${LIMITS.fieldValue}`, {
        field: `fields.${label}`,
        length: value.length,
      });
    }
    if (value === null) delete result[key];
    else result[key] = value;
  }
  return result;
}

function lineItems(items: LineItemInput[]): LineItem[] {
  if (items.length > LIMITS.lineItems) {
    throw new ValidationError(`lineItems has ${items.length} rows; the limit is ${LIMITS.lineItems}`, { field: 'lineItems', count: items.length });
  }
  return items.map((item, i) => {
    for (const key of ['quantity', 'unitPrice', 'amount'] as const) {
      if (!Number.isFinite(item[key])) {
        throw new ValidationError(`lineItems[${i}].${key} ${describeValue(item[key])} is not a number`, { field: `lineItems[${i}].${key}`, value: item[key] });
      }
    }
    return {
      description: requiredText(`lineItems[${i}].description`, item.description, LIMITS.lineItemDescription),
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      amount: item.amount,
    };
  });
}
