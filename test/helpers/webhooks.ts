import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import type { TestApp } from './app.js';
import type { ReceivedRequest } from './receiver.js';

export const SETTINGS_FIELDS = `signingSecret offlineMode bearerTokenSet
  document { channel url enabled disabledAt disabledReason }
  contact { channel url enabled disabledAt disabledReason }
  folder { channel url enabled disabledAt disabledReason }`;

export const DELIVERY_FIELDS = `id channel status attemptCount nextAttemptAt createdAt
  event { id type cursor payload }
  attempts { ok httpStatus durationMs startedAt responseExcerpt error }`;

/** configureWebhooks as a client sends it; returns the whole response so that refusals can be inspected. */
export function configureWebhooks(t: TestApp, input: Record<string, unknown>) {
  return t.gql(`mutation($input: WebhookSettingsInput!) { configureWebhooks(input: $input) { ${SETTINGS_FIELDS} } }`, { input });
}

/** Points one channel at a URL (switched on) and returns the settings; fails the test on any error. */
export async function pointChannel(t: TestApp, channel: 'document' | 'contact' | 'folder', url: string, extra: Record<string, unknown> = {}) {
  const { configureWebhooks: settings } = await t.ok(`mutation($input: WebhookSettingsInput!) { configureWebhooks(input: $input) { ${SETTINGS_FIELDS} } }`, {
    input: { [channel]: { url, enabled: true }, ...extra },
  });
  return settings;
}

export async function webhookSettings(t: TestApp) {
  const { webhookSettings: settings } = await t.ok(`{ webhookSettings { ${SETTINGS_FIELDS} } }`);
  return settings;
}

export async function deliveries(t: TestApp, filter: Record<string, unknown> = {}, first = 50, after?: string) {
  const { webhookDeliveries } = await t.ok(
    `query($filter: WebhookDeliveryFilter, $first: Int, $after: String) {
       webhookDeliveries(filter: $filter, first: $first, after: $after) { edges { cursor node { ${DELIVERY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
    { filter, first, after },
  );
  return webhookDeliveries as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export async function createContact(t: TestApp, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { createContact: contact } = await t.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, {
    input: { name, type: 'CLIENT', ...extra },
  });
  return contact.id;
}

export async function renameContact(t: TestApp, id: string, name: string) {
  await t.ok(`mutation($id: ID!, $name: String!) { updateContact(id: $id, input: { name: $name }) { id } }`, { id, name });
}

/** The Standard Webhooks check a receiver makes; throws when the signature does not match. */
export function verifySignature(secret: string, req: ReceivedRequest): unknown {
  return new Webhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

/** One SQL statement against a test app's database, for arranging what no API sets (the past) and reading what no API shows. */
export async function sql<T = Record<string, any>>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
