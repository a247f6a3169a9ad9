import type { EntityManager } from '@mikro-orm/postgresql';
import { statement, type Sql } from '../../db/sql.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { transactionChanges } from '../../outbox/event-hints.js';
import type { EventSettings } from '../events-context.js';
import { LIMITS, confidenceScore, jsonObject, optionalText, parseId, requiredText } from '../validate.js';
import { Document, type DocumentSource } from './document.entity.js';
import type { DocumentHooks } from './document-hooks.js';
import { documentFromJson, type DocumentJson, type DocumentModel } from './document-model.js';
import { applyFieldChanges, assertProfileKeys, parseFieldChanges } from './extracted-fields.js';
import { EXPORTABLE_STATUSES, EXTRACTABLE_STATUSES, assertTransition, statusesInto, type DocumentStatus } from './lifecycle.js';
import { parseLineItems, type LineItemInput } from './line-items.js';
import { moveStatus, type StatusMove } from './move-status.js';

/**
 * A new document in a folder, with the given profile or else its contact's default one.
 * Parameters: folder, profile (null: the contact's), filename, original filename, source, external references.
 */
const CREATE_DOCUMENT = statement(
  'create-document',
  `with folder as (
  select f.id, f.contact_id, c.default_profile_id from folders f join contacts c on c.id = f.contact_id where f.id = $1::int
), profile as (
  select $2::int is null or exists (select 1 from extraction_profiles where id = $2::int) as found, coalesce($2::int, f.default_profile_id) as id
  from folder f
), inserted as (
  insert into documents (filename, original_filename, source, status, contact_id, folder_id, profile_id, external_refs, status_changed_at, created_at, updated_at)
  select $3::text, $4::text, $5::text::document_source, 'NEW', f.contact_id, f.id, p.id, $6::jsonb, now(), now(), now()
  from folder f, profile p where p.found
  returning *
)
select exists (select 1 from folder) as folder_found, coalesce((select found from profile), true) as profile_found,
  (select row_to_json(i) from inserted i) as document`,
);

export async function createDocument(
  sql: Sql,
  input: { folderId: string; filename: string; originalFilename?: string | null; source?: DocumentSource | null; profileId?: string | null; externalRefs?: unknown },
): Promise<DocumentModel> {
  const filename = requiredText('filename', input.filename, LIMITS.filename);
  const originalFilename = input.originalFilename == null ? filename : requiredText('originalFilename', input.originalFilename, LIMITS.filename);
  const externalRefs = input.externalRefs == null ? {} : jsonObject('externalRefs', input.externalRefs, LIMITS.externalRefsBytes);
  const folderId = parseId('folderId', input.folderId);
  const profileId = input.profileId != null ? parseId('profileId', input.profileId) : null;
  const [row] = await sql.rows<{ folder_found: boolean; profile_found: boolean; document: DocumentJson | null }>(CREATE_DOCUMENT, [
    folderId,
    profileId,
    filename,
    originalFilename,
    input.source ?? 'API',
    JSON.stringify(externalRefs),
  ]);
  if (!row!.folder_found) throw new NotFoundError('Folder', input.folderId);
  if (!row!.profile_found) throw new NotFoundError('ExtractionProfile', input.profileId!);
  return documentFromJson(row!.document!);
}

/**
 * An AI extraction: replaces what was extracted and moves the document to NEEDS_REVIEW, on a
 * status that takes extractions and with field keys its profile knows; otherwise it writes
 * nothing and the facts it returns name the reason. Parameters: document, extractable
 * statuses, field keys, then the values.
 */
const RECORD_EXTRACTION = statement(
  'record-extraction',
  `with target as (
  select d.id, d.status, p.name as profile_name,
    case when p.id is null then null else array(select f->>'key' from jsonb_array_elements(p.fields) f) end as profile_keys
  from documents d left join extraction_profiles p on p.id = d.profile_id
  where d.id = $1::int for update of d
), updated as (
  update documents d set doc_type = $4::text, doc_date = $5::date, ai_summary = $6::text, confidence_score = $7::smallint,
    confidence_reasoning = $8::text, extracted_fields = $9::jsonb, line_items = $10::jsonb, status = 'NEEDS_REVIEW',
    status_changed_at = case when d.status = 'NEEDS_REVIEW' then d.status_changed_at else now() end, updated_at = now()
  from target t
  where d.id = t.id and t.status::text = any($2::text[]) and (t.profile_keys is null or $3::text[] <@ t.profile_keys)
  returning d.*
)
select t.status, t.profile_name, t.profile_keys, (select row_to_json(u) from updated u) as document from target t`,
);

export async function recordExtraction(
  sql: Sql,
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
): Promise<DocumentModel> {
  const documentId = parseId('id', id);
  const score = confidenceScore(input.confidenceScore);
  const fields = input.fields == null ? undefined : parseFieldChanges(input.fields);
  const lineItems = parseLineItems(input.lineItems ?? []);
  // Keys can be longer than the labels they come from: the stored object is measured again.
  const extracted = fields ? jsonObject('extractedFields', applyFieldChanges({}, fields), LIMITS.extractedFieldsBytes) : {};
  const [row] = await sql.rows<{ status: DocumentStatus; profile_name: string | null; profile_keys: string[] | null; document: DocumentJson | null }>(
    RECORD_EXTRACTION,
    [
      documentId,
      EXTRACTABLE_STATUSES,
      fields ? [...fields.labels.keys()] : [],
      optionalText('docType', input.docType ?? null, LIMITS.docType),
      input.docDate ?? null,
      optionalText('aiSummary', input.aiSummary ?? null, LIMITS.aiSummary),
      score,
      optionalText('confidenceReasoning', input.confidenceReasoning ?? null, LIMITS.confidenceReasoning),
      JSON.stringify(extracted),
      JSON.stringify(lineItems),
    ],
  );
  if (!row) throw new NotFoundError('Document', id);
  if (row.document) return documentFromJson(row.document);
  if (!EXTRACTABLE_STATUSES.includes(row.status)) {
    throw new ValidationError(`Document ${documentId} is ${row.status}; an extraction is recorded only on ${EXTRACTABLE_STATUSES.join(', ')}`, {
      field: 'status',
      status: row.status,
    });
  }
  if (fields) assertProfileKeys(fields, row.profile_keys ? { name: row.profile_name ?? '', keys: row.profile_keys } : null);
  throw new Error(`Document ${documentId} was not extracted although every check passed`);
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


