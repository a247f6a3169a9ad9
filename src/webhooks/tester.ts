import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Channel, EventTypeString } from '../events/event-types.js';
import { contactPayload, documentPayload, folderPayload } from '../events/payloads.js';
import type { WebhookSender } from './sender.js';
import { readSettings } from './settings.js';

export type WebhookDeliveryAttempt = {
  ok: boolean;
  httpStatus: number | null;
  durationMs: number;
  startedAt: Date;
  responseExcerpt: string | null;
  error: string | null;
};

const at = new Date('2025-11-15T09:01:12Z');
const contact = { id: 5, name: 'Acme Corporation' };

/** Sample payloads, shaped as the real ones (the reference's examples). */
export function samplePayload(channel: Channel, publicUrl: string): { type: EventTypeString; payload: unknown } {
  switch (channel) {
    case 'DOCUMENT':
      return {
        type: 'document.exported',
        payload: documentPayload(
          {
            id: 847,
            filename: 'acme-invoice-nov-2025.pdf',
            originalFilename: 'acme-invoice-nov-2025.pdf',
            status: 'EXPORT',
            source: 'UI',
            docType: 'Invoice',
            docDate: '2025-11-15',
            contact,
            folder: { id: 12, name: 'Q4 Invoices' },
            aiSummary: 'A test webhook: sample invoice data.',
            confidenceScore: 87,
            confidenceReasoning: 'Sample payload sent by testWebhook.',
            extractedFields: { invoice_number: 'INV-2025-1147', total_amount: '18500.00' },
            lineItems: [{ description: 'Consulting services', quantity: 10, unitPrice: 1500, amount: 15000 }],
            externalRefs: {},
            createdAt: at,
            updatedAt: at,
          },
          publicUrl,
        ),
      };
    case 'CONTACT':
      return {
        type: 'contact.updated',
        payload: contactPayload({ ...contact, type: 'CLIENT', email: 'accounts@acme.com', phone: null, notes: null, createdAt: at, updatedAt: at }),
      };
    case 'FOLDER':
      return { type: 'folder.updated', payload: folderPayload({ id: 12, name: 'Q4 Invoices', contact, createdAt: at, updatedAt: at }) };
  }
}

/** Sends a sample payload to the channel's URL now, outside the delivery log, and returns the attempt. */
export async function testWebhook(em: EntityManager, sender: WebhookSender, channel: Channel, publicUrl: string): Promise<WebhookDeliveryAttempt> {
  const settings = await readSettings(em);
  const target = settings[channel.toLowerCase() as 'document' | 'contact' | 'folder'];
  if (!target.url) throw new ValidationError(`The ${channel} channel has no URL to test`, { field: 'channel', value: channel });
  const sample = samplePayload(channel, publicUrl);
  const [secret] = await em.execute<{ bearer_token: string | null }[]>('select bearer_token from webhook_settings where id = 1');
  const result = await sender.send({
    url: target.url,
    eventId: `msg_test_${randomUUID().replace(/-/g, '')}`,
    eventType: sample.type,
    body: JSON.stringify(sample.payload),
    bearerToken: secret!.bearer_token,
    signingSecret: settings.signingSecret,
  });
  return result;
}
