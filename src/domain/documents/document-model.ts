import type { DocumentSource, IDocument, LineItem } from './document.entity.js';
import type { DocumentStatus } from './lifecycle.js';

/**
 * What the GraphQL Document type reads: an ORM entity, or a document read by a plain
 * statement (update-document.ts), which needs no EntityManager.
 */
export type DocumentModel = Omit<IDocument, 'contact' | 'folder' | 'profile'> & {
  contact: { id: number };
  folder: { id: number };
  profile?: { id: number } | null;
};

/** A documents row as pg returns it: dates as YYYY-MM-DD text, timestamps as Date, jsonb parsed. */
export type DocumentRow = {
  id: number;
  filename: string;
  original_filename: string;
  status: DocumentStatus;
  source: DocumentSource;
  doc_type: string | null;
  doc_date: string | null;
  contact_id: number;
  folder_id: number;
  profile_id: number | null;
  ai_summary: string | null;
  confidence_score: number | null;
  confidence_reasoning: string | null;
  extracted_fields: Record<string, unknown>;
  line_items: LineItem[];
  external_refs: Record<string, unknown>;
  status_changed_at: Date;
  created_at: Date;
  updated_at: Date;
};

/**
 * The columns a statement returns for a DocumentRow, named one by one: a prepared statement
 * that returned `*` would fail ("cached plan must not change result type") on every pooled
 * connection that prepared it once a migration adds a column.
 */
export const DOCUMENT_COLUMNS: readonly (keyof DocumentRow)[] = [
  'id',
  'filename',
  'original_filename',
  'status',
  'source',
  'doc_type',
  'doc_date',
  'contact_id',
  'folder_id',
  'profile_id',
  'ai_summary',
  'confidence_score',
  'confidence_reasoning',
  'extracted_fields',
  'line_items',
  'external_refs',
  'status_changed_at',
  'created_at',
  'updated_at',
];

/** A documents row as row_to_json writes it: timestamps as text. */
export type DocumentJson = Omit<DocumentRow, 'status_changed_at' | 'created_at' | 'updated_at'> & {
  status_changed_at: string;
  created_at: string;
  updated_at: string;
};

export function documentFromJson(json: DocumentJson): DocumentModel {
  return documentFromRow({
    ...json,
    status_changed_at: new Date(json.status_changed_at),
    created_at: new Date(json.created_at),
    updated_at: new Date(json.updated_at),
  });
}

export function documentFromRow(row: DocumentRow): DocumentModel {
  return {
    id: row.id,
    filename: row.filename,
    originalFilename: row.original_filename,
    status: row.status,
    source: row.source,
    docType: row.doc_type,
    docDate: row.doc_date,
    contact: { id: row.contact_id },
    folder: { id: row.folder_id },
    profile: row.profile_id === null ? null : { id: row.profile_id },
    aiSummary: row.ai_summary,
    confidenceScore: row.confidence_score,
    confidenceReasoning: row.confidence_reasoning,
    extractedFields: row.extracted_fields,
    lineItems: row.line_items,
    externalRefs: row.external_refs,
    statusChangedAt: row.status_changed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
