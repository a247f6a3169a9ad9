import type { EventTypeString } from './event-types.js';
import type { PayloadOf } from './payload-schemas.js';
import { contactPayload, documentPayload, folderPayload, type ContactFacts, type DocumentFacts, type FolderFacts } from './payloads.js';

/**
 * The example records of the webhooks reference (an exported invoice of Acme Corporation).
 * testWebhook sends their payloads, so that a receiver under test sees what the reference
 * documents, value for value.
 */
const acme = { id: 5, name: 'Acme Corporation' };

export const SAMPLE_DOCUMENT: DocumentFacts = {
  id: 847,
  filename: 'acme-invoice-nov-2025.pdf',
  originalFilename: 'acme-invoice-nov-2025.pdf',
  status: 'EXPORT',
  source: 'UI',
  docType: 'Invoice',
  docDate: '2025-11-15',
  contact: acme,
  folder: { id: 12, name: 'Q4 Invoices' },
  aiSummary: 'Invoice from Acme Corporation for consulting services in October 2025. Total amount ¥18,500 CNY, due December 15.',
  confidenceScore: 87,
  confidenceReasoning: 'All 8 fields extracted successfully. Line items sum correctly to the stated total.',
  extractedFields: {
    vendor: 'Acme Corporation',
    invoice_number: 'INV-2025-1147',
    invoice_date: '2025-11-15',
    due_date: '2025-12-15',
    currency: 'CNY',
    subtotal: '16500.00',
    tax: '2000.00',
    total_amount: '18500.00',
  },
  lineItems: [
    { description: 'Consulting services — October 2025', quantity: 10, unitPrice: 1500, amount: 15000 },
    { description: 'Travel expenses', quantity: 1, unitPrice: 1500, amount: 1500 },
  ],
  externalRefs: {
    salesforce: {
      record_id: '001Qy00000BnXt2IAF',
      record_type: 'Opportunity',
      record_url: 'https://yourorg.salesforce.com/001Qy00000BnXt2IAF',
    },
  },
  createdAt: new Date('2025-11-15T08:23:41Z'),
  updatedAt: new Date('2025-11-15T09:01:12Z'),
};

export const SAMPLE_CONTACT: ContactFacts = {
  ...acme,
  type: 'CLIENT',
  email: 'accounts@acme.com',
  phone: '+86 21 5555 0100',
  notes: 'Primary contact: James Chen',
  createdAt: new Date('2025-10-01T10:00:00Z'),
  updatedAt: new Date('2025-11-15T09:05:00Z'),
};

export const SAMPLE_FOLDER: FolderFacts = {
  id: 12,
  name: 'Q4 Invoices',
  contact: acme,
  createdAt: new Date('2025-10-01T10:05:00Z'),
  updatedAt: new Date('2025-10-01T10:05:00Z'),
};

const OPERATIONS_URL = 'https://erp.example.com/webhooks/recordengine';

/** A channel.failing as the service writes it (webhooks/record-failure.ts), for a test of the operations URL. */
export const SAMPLE_CHANNEL_FAILING: PayloadOf<'channel.failing'> = {
  channel: 'document',
  url: OPERATIONS_URL,
  consecutive_failures: 5,
  failing_since: '2025-11-15T09:01:12Z',
  last_attempt: { http_status: 503, error: null, at: '2025-11-15T09:03:40Z' },
};

/** The body of every event type for the example records: what the webhook contract shows. */
export function sampleEvents(publicUrl: string): { [T in EventTypeString]: PayloadOf<T> } {
  const contact = contactPayload(SAMPLE_CONTACT);
  const folder = folderPayload(SAMPLE_FOLDER);
  const lastAttempt = { http_status: 503, error: 'the receiver answered HTTP 503; only 200 counts as delivered', at: '2025-11-16T14:43:52Z' };
  return {
    'document.exported': documentPayload(SAMPLE_DOCUMENT, publicUrl),
    'contact.created': { ...contact, updated_at: contact.created_at },
    'contact.updated': contact,
    'folder.created': folder,
    'folder.updated': folder,
    'channel.failing': SAMPLE_CHANNEL_FAILING,
    'channel.recovered': { channel: 'document', url: OPERATIONS_URL, failing_since: '2025-11-15T09:01:12Z', failed_attempts: 6, recovered_at: '2025-11-15T11:36:20Z' },
    'channel.disabled': {
      channel: 'document',
      url: OPERATIONS_URL,
      reason: 'the receiver answered 410 Gone',
      disabled_at: '2025-11-15T09:03:40Z',
      failed_deliveries: 3,
    },
    'delivery.failed': {
      delivery_id: '1042',
      event_id: 'msg_2f1c0c2b9d5e4c8fa1b0e6d7c3a49f10',
      event_type: 'contact.updated',
      channel: 'contact',
      entity_id: SAMPLE_CONTACT.id,
      attempts: 8,
      last_attempt: lastAttempt,
      failed_at: lastAttempt.at,
    },
  };
}
