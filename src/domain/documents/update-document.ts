import { statement, type Sql } from '../../db/sql.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { LIMITS, jsonObject, optionalText, parseId } from '../validate.js';
import { DOCUMENT_COLUMNS, documentFromRow, type DocumentModel, type DocumentRow } from './document-model.js';
import { assertProfileKeys, parseFieldChanges, type FieldChanges } from './extracted-fields.js';
import { LOCKED_STATUSES, assertEditable, type DocumentStatus } from './lifecycle.js';
import { parseLineItems, type LineItemInput } from './line-items.js';

export type UpdateDocumentInput = {
  docType?: string | null;
  docDate?: string | null;
  aiSummary?: string | null;
  fields?: unknown;
  lineItems?: LineItemInput[] | null;
  externalRefs?: unknown;
  folderId?: string | null;
};

/** What the statement learned about the document before (or instead of) updating it. */
type Facts = {
  t_status: DocumentStatus;
  t_editable: boolean;
  t_profile_name?: string | null;
  t_profile_keys?: string[] | null;
  t_folder_id?: number | null;
  /** The bytes of JSON extractedFields would have after the merge. */
  t_fields_size?: number | null;
};

/**
 * The size of `merged`, a flat object of extracted fields, as the bytes of its compact JSON,
 * the measure the input is checked by: jsonb prints ": " after each of its n keys and ", "
 * between pairs, 2n - 1 bytes that compact JSON does not have.
 */
const COMPACT_JSON_SIZE = `octet_length(merged::text) - greatest(2 * (select count(*) from jsonb_object_keys(merged))::int - 1, 0)`;

/**
 * The edit of a document during review, the most frequent write, as one statement: it locks
 * the row, checks what needs the database (a locked status, the profile's field keys, the
 * size of the merged extracted fields, a folder of the same contact) and updates, in one
 * round trip and one implicit transaction.
 * When a check fails nothing is written, and the facts it returns name the reason. What needs
 * no database is checked before it is sent.
 */
export async function updateDocument(sql: Sql, id: string, input: UpdateDocumentInput): Promise<DocumentModel> {
  const documentId = parseId('id', id);
  const params: unknown[] = [documentId, LOCKED_STATUSES];
  const param = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
  const assignments: [column: string, expression: string][] = [];

  if (input.docType !== undefined) assignments.push(['doc_type', param(optionalText('docType', input.docType, LIMITS.docType), 'text')]);
  if (input.docDate !== undefined) assignments.push(['doc_date', param(input.docDate, 'date')]);
  if (input.aiSummary !== undefined) assignments.push(['ai_summary', param(optionalText('aiSummary', input.aiSummary, LIMITS.aiSummary), 'text')]);
  let fields: FieldChanges | undefined;
  let merge: string | undefined;
  if (input.fields != null) {
    fields = parseFieldChanges(input.fields);
    merge = `(d.extracted_fields || ${param(JSON.stringify(fields.set), 'jsonb')}) - ${param([...fields.removed], 'text[]')}`;
    assignments.push(['extracted_fields', 'target.merged_fields']);
  }
  if (input.lineItems != null) assignments.push(['line_items', param(JSON.stringify(parseLineItems(input.lineItems)), 'jsonb')]);
  if (input.externalRefs !== undefined) {
    const refs = input.externalRefs === null ? {} : jsonObject('externalRefs', input.externalRefs, LIMITS.externalRefsBytes);
    assignments.push(['external_refs', param(JSON.stringify(refs), 'jsonb')]);
  }
  const folderId = input.folderId != null ? parseId('folderId', input.folderId) : undefined;
  const folder = folderId === undefined ? undefined : param(folderId, 'int');
  if (folder) assignments.push(['folder_id', folder]);
  const keys = fields ? param([...fields.labels.keys()], 'text[]') : undefined;
  const maxFieldsBytes = merge ? param(LIMITS.extractedFieldsBytes, 'int') : undefined;

  // updated_at moves only when a value does, as the ORM's change detection does elsewhere.
  const changed = assignments.map(([column, expression]) => `d.${column} is distinct from ${expression}`).join(' or ') || 'false';
  const text = `
    with target as (
      select d.id, d.status, d.status::text <> all($2::text[]) as editable
        ${fields ? `, p.name as profile_name, case when p.id is null then null else array(select f->>'key' from jsonb_array_elements(p.fields) f) end as profile_keys` : ''}
        ${merge ? ', m.merged as merged_fields, m.size as fields_size' : ''}
        ${folder ? ', f.id as folder_id, f.contact_id = d.contact_id as same_contact' : ''}
      from documents d
        ${fields ? 'left join extraction_profiles p on p.id = d.profile_id' : ''}
        ${merge ? `cross join lateral (select merged, ${COMPACT_JSON_SIZE} as size from (select ${merge} as merged) merging) m` : ''}
        ${folder ? `left join folders f on f.id = ${folder}` : ''}
      where d.id = $1
      for update of d
    ), updated as (
      update documents d
      set ${assignments.map(([column, expression]) => `${column} = ${expression}, `).join('')}
          updated_at = case when ${changed} then ${param(new Date(), 'timestamptz')} else d.updated_at end
      from target
      where d.id = target.id and target.editable
        ${keys ? `and (target.profile_keys is null or ${keys} <@ target.profile_keys)` : ''}
        ${maxFieldsBytes ? `and target.fields_size <= ${maxFieldsBytes}` : ''}
        ${folder ? 'and target.same_contact' : ''}
      returning ${DOCUMENT_COLUMNS.map((column) => `d.${column}`).join(', ')}
    )
    select target.status as t_status, target.editable as t_editable
      ${fields ? ', target.profile_name as t_profile_name, target.profile_keys as t_profile_keys, target.fields_size as t_fields_size' : ''}
      ${folder ? ', target.folder_id as t_folder_id' : ''}
      , ${DOCUMENT_COLUMNS.map((column) => `updated.${column}`).join(', ')}
    from target left join updated on true`;
  // Prepared once per shape and connection (statement() names it by a digest of its text).
  const [row] = await sql.rows<Facts & { [K in keyof DocumentRow]: DocumentRow[K] | null }>(statement('update-document', text), params);
  if (!row) throw new NotFoundError('Document', id);
  const { t_status, t_editable, t_profile_name, t_profile_keys, t_folder_id, t_fields_size, ...columns } = row;
  if (columns.id === null) {
    assertEditable(t_status, documentId);
    if (fields) assertProfileKeys(fields, t_profile_keys ? { name: t_profile_name ?? '', keys: t_profile_keys } : null);
    if (t_fields_size != null && t_fields_size > LIMITS.extractedFieldsBytes) {
      throw new ValidationError(
        `extractedFields would be ${t_fields_size} bytes of JSON after this change; the limit is ${LIMITS.extractedFieldsBytes} (remove fields with null to make room)`,
        { field: 'fields', size: t_fields_size, limit: LIMITS.extractedFieldsBytes },
      );
    }
    if (folderId !== undefined && t_folder_id == null) throw new NotFoundError('Folder', input.folderId!);
    if (folderId !== undefined) {
      throw new ValidationError(`Folder ${folderId} belongs to another contact than document ${documentId}`, { field: 'folderId', value: input.folderId });
    }
    throw new Error(`Document ${documentId} was not updated although every check passed (editable: ${t_editable})`);
  }
  return documentFromRow(columns as DocumentRow);
}
