import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';

let t: TestApp;
let receiver: TestReceiver;

const BEARER = 'receiver-secret-token';

async function configure(channel: 'document' | 'contact' | 'folder', url: string | null, extra: Record<string, unknown> = {}) {
  return t.ok(
    `mutation($input: WebhookSettingsInput!) { configureWebhooks(input: $input) { signingSecret offlineMode document { url enabled } contact { url enabled } folder { url enabled } } }`,
    { input: { [channel]: { url, enabled: true }, bearerToken: BEARER, ...extra } },
  );
}

async function exportedDocument() {
  const { createContact } = await t.ok(`mutation { createContact(input: { name: "Acme Corporation", type: CLIENT }) { id folders { edges { node { id } } } } }`);
  const folderId = createContact.folders.edges[0].node.id;
  const { createDocument } = await t.ok(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "acme-invoice-nov-2025.pdf", source: UI, externalRefs: { salesforce: { record_id: "001Qy00000BnXt2IAF" } } }) { id } }`, { f: folderId });
  const id = createDocument.id;
  await t.ok(`mutation($id: ID!, $fields: JSON) { recordExtraction(id: $id, input: { docType: "Invoice", docDate: "2025-11-15", aiSummary: "Invoice from Acme", confidenceScore: 87, confidenceReasoning: "All fields", fields: $fields, lineItems: [{ description: "Consulting", quantity: 10, unitPrice: 1500, amount: 15000 }] }) { id } }`, {
    id,
    fields: { 'Invoice Number': 'INV-2025-1147', total_amount: '18500.00' },
  });
  await t.ok(`mutation($id: ID!) { a: setDocumentStatus(id: $id, status: READY) { id } b: setDocumentStatus(id: $id, status: APPROVED) { id } }`, { id });
  return { id: Number(id), contactId: Number(createContact.id), folderId: Number(folderId) };
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

describe('webhook delivery', () => {
  it('POSTs the document payload of the reference with bearer token and a Standard Webhooks signature', async () => {
    const settings = await configure('document', receiver.url);
    const doc = await exportedDocument();
    await t.ok(`mutation($id: ID!) { exportDocument(id: $id) { status } }`, { id: String(doc.id) });
    await receiver.waitFor(1);
    const [req] = receiver.requests;
    expect(req!.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-recordengine-event']).toBe('document.exported');
    expect(req!.headers['user-agent']).toMatch(/^RecordEngine-Webhooks\//);
    const verified = new Webhook(settings.configureWebhooks.signingSecret).verify(req!.body, {
      'webhook-id': req!.headers['webhook-id'] as string,
      'webhook-timestamp': req!.headers['webhook-timestamp'] as string,
      'webhook-signature': req!.headers['webhook-signature'] as string,
    });
    expect(verified).toEqual(req!.json);
    expect(Object.keys(req!.json)).toEqual([
      'id', 'filename', 'original_filename', 'status', 'source', 'doc_type', 'doc_date', 'contact_id', 'contact_name', 'folder_id',
      'folder_name', 'ai_summary', 'confidence_score', 'confidence_label', 'confidence_reasoning', 'extracted_fields', 'line_items',
      'external_refs', 'doc_url', 'created_at', 'updated_at',
    ]);
    expect(req!.json).toMatchObject({
      id: doc.id,
      filename: 'acme-invoice-nov-2025.pdf',
      original_filename: 'acme-invoice-nov-2025.pdf',
      status: 'Export',
      source: 'UI',
      doc_type: 'Invoice',
      doc_date: '2025-11-15',
      contact_id: doc.contactId,
      contact_name: 'Acme Corporation',
      folder_id: doc.folderId,
      folder_name: 'Documents',
      ai_summary: 'Invoice from Acme',
      confidence_score: 87,
      confidence_label: 'Good',
      confidence_reasoning: 'All fields',
      extracted_fields: { invoice_number: 'INV-2025-1147', total_amount: '18500.00' },
      line_items: [{ description: 'Consulting', quantity: 10, unit_price: 1500, amount: 15000 }],
      external_refs: { salesforce: { record_id: '001Qy00000BnXt2IAF' } },
      doc_url: `${t.url}/api/document/${doc.id}/view`,
    });
    expect(req!.json.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('retries a 500, then delivers with the same webhook-id; 201 counts as a failure', async () => {
    await configure('contact', receiver.url);
    receiver.answers = [{ status: 500 }, { status: 201 }];
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Retry Ltd", type: VENDOR }) { id } }`);
    await receiver.waitFor(3);
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    await t.app.worker!.drain();
    const { webhookDeliveries } = await t.ok(
      `query($e: ID) { webhookDeliveries(filter: { channel: CONTACT, entityId: $e }) { edges { node { status attemptCount attempts { ok httpStatus error } event { id type } } } } }`,
      { e: createContact.id },
    );
    const delivery = webhookDeliveries.edges[0].node;
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attemptCount: 3, event: { id: ids[0], type: 'CONTACT_CREATED' } });
    expect(delivery.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([500, 201, 200]);
    expect(delivery.attempts[1].error).toMatch(/HTTP 201; only 200 counts/);
  });

  it('delivers the events of one entity in order, even when the first one retries', async () => {
    await configure('contact', receiver.url);
    receiver.answers = [{ status: 503 }];
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Order 0", type: CLIENT }) { id } }`);
    for (let i = 1; i <= 3; i++) {
      await t.ok(`mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { name: $n }) { id } }`, { id: createContact.id, n: `Order ${i}` });
    }
    await receiver.waitFor(5);
    await t.app.worker!.drain();
    const names = receiver.requests.map((r) => r.json.name);
    expect(names).toEqual(['Order 0', 'Order 0', 'Order 1', 'Order 2', 'Order 3']);
  });

  it('fires nothing for an update that changes nothing, and nothing for a refused change', async () => {
    await configure('contact', receiver.url);
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Same", type: CLIENT }) { id } }`);
    await receiver.waitFor(1);
    await t.ok(`mutation($id: ID!) { updateContact(id: $id, input: { name: "Same", type: CLIENT }) { id } }`, { id: createContact.id });
    const bad = await t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { name: "Other", email: "not-an-email" }) { id } }`, { id: createContact.id });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(1);
    const { contact } = await t.ok(`query($id: ID!) { contact(id: $id) { name } }`, { id: createContact.id });
    expect(contact.name).toBe('Same');
  });

  it('holds everything in offline mode and sends it when switched off', async () => {
    await configure('folder', receiver.url, { offlineMode: true });
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Offline", type: CLIENT }) { id } }`);
    await t.app.worker!.drain();
    expect(receiver.requests).toHaveLength(0);
    await configure('folder', receiver.url, { offlineMode: false });
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.json.contact_id)).toEqual([Number(createContact.id), Number(createContact.id)]);
  });

  it('disables the channel on 410 Gone and says why', async () => {
    // The contact's own two folders are made while the channel has no URL, so that one delivery alone meets the 410.
    await configure('folder', null);
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Gone", type: CLIENT }) { id } }`);
    await configure('folder', receiver.url);
    receiver.fallback = { status: 410 };
    await t.ok(`mutation($c: ID!) { createFolder(input: { name: "Archive", contactId: $c }) { id } }`, { c: createContact.id });
    await receiver.waitFor(1);
    await t.app.worker!.drain();
    const { webhookSettings } = await t.ok(`{ webhookSettings { folder { enabled disabledAt disabledReason } } }`);
    expect(webhookSettings.folder).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    expect(receiver.requests).toHaveLength(1);
  });
});
