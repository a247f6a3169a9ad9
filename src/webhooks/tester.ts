import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Channel, EventTypeString } from '../events/event-types.js';
import { sampleEvents } from '../events/samples.js';
import type { OutgoingWebhook, WebhookSender } from './sender.js';
import type { AttemptRow } from './delivery-log.js';
import { readSettings } from './settings.js';

/** The event type each channel's test webhook comes as (testWebhook). */
export const TEST_EVENT_TYPES: Record<Channel, EventTypeString> = {
  DOCUMENT: 'document.exported',
  CONTACT: 'contact.updated',
  FOLDER: 'folder.updated',
  OPERATIONS: 'channel.failing',
};

/** The reference's example payload of each channel, under the event type it would come with. */
export function samplePayload(channel: Channel, publicUrl: string): { type: EventTypeString; payload: unknown } {
  const type = TEST_EVENT_TYPES[channel];
  return { type, payload: sampleEvents(publicUrl)[type] };
}

/** Sends a sample payload to the channel's URL now, outside the delivery log, and returns the attempt. */
export async function testWebhook(em: EntityManager, sender: WebhookSender, channel: Channel, publicUrl: string): Promise<AttemptRow> {
  const settings = await readSettings(em);
  const target = settings[channel.toLowerCase() as Lowercase<Channel>];
  if (!target.url) {
    throw new ValidationError(`The ${channel} channel has no URL to test; set one with configureWebhooks first`, { field: 'channel', value: channel });
  }
  const sample = samplePayload(channel, publicUrl);
  const [secret] = await em.execute<{ bearer_token: string | null }[]>('select bearer_token from webhook_settings where id = 1');
  const message = {
    url: target.url,
    eventType: sample.type,
    body: JSON.stringify(sample.payload),
    bearerToken: secret!.bearer_token,
    signingSecret: settings.signingSecret,
    previousSigningSecret: settings.previousSigningSecret,
  };
  return sendTest(sender, message);
}

/**
 * Sends a test webhook, outside the delivery log, under a webhook-id of its own (`msg_test_…`,
 * never an event's), and returns the attempt with the request as sent (the bearer token masked).
 */
export async function sendTest(sender: WebhookSender, test: Omit<OutgoingWebhook, 'eventId'>): Promise<AttemptRow> {
  const message: OutgoingWebhook = { ...test, eventId: `msg_test_${randomUUID().replace(/-/g, '')}` };
  const attempt = await sender.send(message);
  // The same headers as sent: the signature depends only on the id, the second it was sent in and the body.
  const headers = Object.entries(sender.headers(message, attempt.startedAt)).map(([name, value]) => ({
    name,
    // The bearer token is write-only.
    value: name === 'authorization' ? 'Bearer ••••••' : value,
  }));
  return { ...attempt, id: null, request: { url: message.url, headers, body: message.body } };
}
