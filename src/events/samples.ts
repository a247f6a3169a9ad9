import type { ContactFacts, DocumentFacts, FolderFacts } from './payloads.js';

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

/** A channel.failing as the service writes it (webhooks/record-failure.ts), for a test of the operations URL. */
export const SAMPLE_CHANNEL_FAILING = {
  channel: 'document',
  url: 'https://erp.example.com/webhooks/recordengine',
  consecutive_failures: 5,
  failing_since: '2025-11-15T09:01:12Z',
  last_attempt: { http_status: 503, error: null, at: '2025-11-15T09:03:40Z' },
};
