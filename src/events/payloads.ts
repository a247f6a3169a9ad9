import type { LineItem } from '../domain/documents/document.entity.js';
import type { DocumentStatus } from '../domain/documents/lifecycle.js';
import type { DocumentSource } from '../domain/documents/document.entity.js';
import type { ContactType } from '../domain/contacts/contact.entity.js';
import { CONFIDENCE_DISPLAY, CONTACT_TYPE_DISPLAY, SOURCE_DISPLAY, STATUS_DISPLAY, confidenceLabel } from './display.js';
import type { ContactPayload, DocumentPayload, FolderPayload } from './payload-schemas.js';

/**
 * The webhook bodies of the reference, field for field and type for type. Pure functions of
 * plain values, so that the payload is built once at event time and stored with the event.
 * Their types are those of the schemas the webhook contract publishes (payload-schemas.ts).
 */

/** ISO 8601 in UTC to the second, as the reference writes it: 2025-11-15T08:23:41Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function docUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/api/document/${id}/view`;
}

export type DocumentFacts = {
  id: number;
  filename: string;
  originalFilename: string;
  status: DocumentStatus;
  source: DocumentSource;
  docType: string | null | undefined;
  docDate: string | null | undefined;
  contact: { id: number; name: string };
  folder: { id: number; name: string };
  aiSummary: string | null | undefined;
  confidenceScore: number | null | undefined;
  confidenceReasoning: string | null | undefined;
  extractedFields: Record<string, unknown>;
  lineItems: LineItem[];
  externalRefs: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
};

export function documentPayload(doc: DocumentFacts, publicUrl: string): DocumentPayload {
  const label = confidenceLabel(doc.confidenceScore);
  return {
    id: doc.id,
    filename: doc.filename,
    original_filename: doc.originalFilename,
    status: STATUS_DISPLAY[doc.status],
    source: SOURCE_DISPLAY[doc.source],
    doc_type: doc.docType ?? null,
    doc_date: doc.docDate ?? null,
    contact_id: doc.contact.id,
    contact_name: doc.contact.name,
    folder_id: doc.folder.id,
    folder_name: doc.folder.name,
    ai_summary: doc.aiSummary ?? null,
    confidence_score: doc.confidenceScore ?? null,
    confidence_label: label ? CONFIDENCE_DISPLAY[label] : null,
    confidence_reasoning: doc.confidenceReasoning ?? null,
    extracted_fields: doc.extractedFields,
    line_items: doc.lineItems.map((item) => ({
      description: item.description,
      quantity: item.quantity,
      unit_price: item.unitPrice,
      amount: item.amount,
    })),
    external_refs: doc.externalRefs,
    doc_url: docUrl(publicUrl, doc.id),
    created_at: isoSeconds(doc.createdAt),
    updated_at: isoSeconds(doc.updatedAt),
  };
}

export type ContactFacts = {
  id: number;
  name: string;
  type: ContactType;
  email: string | null | undefined;
  phone: string | null | undefined;
  notes: string | null | undefined;
  createdAt: Date;
  updatedAt: Date;
};

export function contactPayload(contact: ContactFacts): ContactPayload {
  return {
    id: contact.id,
    name: contact.name,
    type: CONTACT_TYPE_DISPLAY[contact.type],
    email: contact.email ?? null,
    phone: contact.phone ?? null,
    notes: contact.notes ?? null,
    created_at: isoSeconds(contact.createdAt),
    updated_at: isoSeconds(contact.updatedAt),
  };
}

export type FolderFacts = {
  id: number;
  name: string;
  contact: { id: number; name: string };
  createdAt: Date;
  updatedAt: Date;
};

export function folderPayload(folder: FolderFacts): FolderPayload {
  return {
    id: folder.id,
    name: folder.name,
    contact_id: folder.contact.id,
    contact_name: folder.contact.name,
    created_at: isoSeconds(folder.createdAt),
    updated_at: isoSeconds(folder.updatedAt),
  };
}
