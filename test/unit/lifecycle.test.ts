import { describe, expect, it } from 'vitest';
import { DOCUMENT_STATUSES, assertTransition, type DocumentStatus } from '../../src/domain/documents/lifecycle.js';

/** The README's lifecycle table, copied here so that a change to the code's table is caught, not followed. */
const README_TABLE: Record<DocumentStatus, DocumentStatus[]> = {
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
const STATUSES = Object.keys(README_TABLE) as DocumentStatus[];

describe('document lifecycle', () => {
  it('knows exactly the statuses of the table', () => {
    expect([...DOCUMENT_STATUSES]).toEqual(STATUSES);
  });

  it.each(STATUSES)('allows from %s exactly the moves of the table and names both statuses otherwise', (from) => {
    for (const to of STATUSES) {
      if (README_TABLE[from].includes(to)) expect(() => assertTransition(from, to)).not.toThrow();
      else expect(() => assertTransition(from, to)).toThrow(new RegExp(`from ${from} to ${to}`));
    }
  });
});
