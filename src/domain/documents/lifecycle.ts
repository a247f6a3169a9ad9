import { ValidationError } from '../../errors.js';

export const DOCUMENT_STATUSES = [
  'NEW',
  'PROCESSING',
  'NEEDS_REVIEW',
  'MISSING_INFO',
  'READY',
  'APPROVED',
  'EXPORT',
  'EXCEPTION',
  'ARCHIVED',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/**
 * The lifecycle, as data: from a status, the statuses `setDocumentStatus` may move to.
 * The README prints this table; a test walks it. READY → EXPORT exists for rules that
 * export a document without an approval click (the reference's Rules Engine).
 */
export const TRANSITIONS: Readonly<Record<DocumentStatus, readonly DocumentStatus[]>> = {
  NEW: ['PROCESSING', 'EXCEPTION', 'ARCHIVED'],
  PROCESSING: ['NEEDS_REVIEW', 'MISSING_INFO', 'EXCEPTION', 'ARCHIVED'],
  NEEDS_REVIEW: ['PROCESSING', 'MISSING_INFO', 'READY', 'EXCEPTION', 'ARCHIVED'],
  MISSING_INFO: ['PROCESSING', 'NEEDS_REVIEW', 'EXCEPTION', 'ARCHIVED'],
  READY: ['NEEDS_REVIEW', 'APPROVED', 'EXPORT', 'EXCEPTION', 'ARCHIVED'],
  APPROVED: ['READY', 'EXPORT', 'ARCHIVED'],
  EXPORT: ['ARCHIVED'],
  EXCEPTION: ['PROCESSING', 'NEEDS_REVIEW', 'ARCHIVED'],
  ARCHIVED: [],
};

/** Statuses whose documents refuse edits: what was approved or exported is what stays. */
export const LOCKED_STATUSES: readonly DocumentStatus[] = ['APPROVED', 'EXPORT', 'ARCHIVED'];

/** Statuses from which `recordExtraction` accepts an AI result (the last two re-extract). */
export const EXTRACTABLE_STATUSES: readonly DocumentStatus[] = ['NEW', 'PROCESSING', 'NEEDS_REVIEW', 'MISSING_INFO'];

/** Statuses from which `exportDocument` exports (EXPORT exports again). */
export const EXPORTABLE_STATUSES: readonly DocumentStatus[] = ['APPROVED', 'EXPORT'];

/** The statuses from which a document may move to `to`. */
export function statusesInto(to: DocumentStatus): DocumentStatus[] {
  return DOCUMENT_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export function assertTransition(from: DocumentStatus, to: DocumentStatus): void {
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from];
    throw new ValidationError(
      `A document cannot move from ${from} to ${to}` +
        (allowed.length ? ` (from ${from} it can move to ${allowed.join(', ')})` : ` (${from} is final)`),
      { field: 'status', from, to },
    );
  }
}

export function assertEditable(status: DocumentStatus, id: number): void {
  if (LOCKED_STATUSES.includes(status)) {
    throw new ValidationError(`Document ${id} is ${status} and locked against edits`, { field: 'status', status, id: String(id) });
  }
}
