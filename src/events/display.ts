import type { ContactType } from '../domain/contacts/contact.entity.js';
import type { DocumentSource } from '../domain/documents/document.entity.js';
import type { DocumentStatus } from '../domain/documents/lifecycle.js';

/** The strings the webhooks reference shows for enum values ("Export", "Client", "UI"). */
export const STATUS_DISPLAY = {
  NEW: 'New',
  PROCESSING: 'Processing',
  NEEDS_REVIEW: 'Needs Review',
  MISSING_INFO: 'Missing Info',
  READY: 'Ready',
  APPROVED: 'Approved',
  EXPORT: 'Export',
  EXCEPTION: 'Exception',
  ARCHIVED: 'Archived',
} as const satisfies Record<DocumentStatus, string>;

export const SOURCE_DISPLAY = {
  UI: 'UI',
  API: 'API',
  EMAIL: 'Email',
  HOT_FOLDER: 'Hot Folder',
} as const satisfies Record<DocumentSource, string>;

export const CONTACT_TYPE_DISPLAY = {
  CLIENT: 'Client',
  VENDOR: 'Vendor',
  PARTNER: 'Partner',
  INTERNAL: 'Internal',
  OTHER: 'Other',
} as const satisfies Record<ContactType, string>;

export type ConfidenceLabel = 'HIGH' | 'GOOD' | 'LOW' | 'POOR';

export const CONFIDENCE_DISPLAY = { HIGH: 'High', GOOD: 'Good', LOW: 'Low', POOR: 'Poor' } as const satisfies Record<ConfidenceLabel, string>;

/** The lowest score of each label, highest first: HIGH ≥ 90, GOOD 75–89, LOW 50–74, POOR < 50. */
export const CONFIDENCE_FLOORS: readonly (readonly [ConfidenceLabel, number])[] = [
  ['HIGH', 90],
  ['GOOD', 75],
  ['LOW', 50],
  ['POOR', -Infinity],
];

/** No score, no label. */
export function confidenceLabel(score: number | null | undefined): ConfidenceLabel | null {
  if (score === null || score === undefined) return null;
  return CONFIDENCE_FLOORS.find(([, floor]) => score >= floor)![0];
}
