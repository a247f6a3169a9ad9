import type { DocumentStatus } from '../../src/domain/documents/lifecycle.js';

/** The README's lifecycle table, written out here so that a change to the code's table is caught, not followed. */
export const README_LIFECYCLE: Record<DocumentStatus, DocumentStatus[]> = {
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

export const README_STATUSES = Object.keys(README_LIFECYCLE) as DocumentStatus[];
