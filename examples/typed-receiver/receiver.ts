import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { webhooks } from './webhooks.js';

/**
 * A receiver typed by the webhook contract: webhooks.ts is generated from the service's
 * GET /webhooks/openapi.json by openapi-typescript, and nothing here is written by hand about
 * the bodies. It checks the bearer token and the Standard Webhooks signature over the raw body,
 * then hands on the webhook as a union on its event type: narrowing on `type` narrows `body`.
 */

/** An event type of the contract: the name of its webhook. */
export type EventType = keyof webhooks;

/** The body of an event type's webhook, as the contract describes it. */
export type WebhookBody<E extends EventType> = webhooks[E]['post']['requestBody']['content']['application/json'];

/** A webhook whose token and signature checked out. */
export type VerifiedWebhook = { [E in EventType]: { id: string; type: E; body: WebhookBody<E> } }[EventType];

/** The event types this receiver was generated for (the compiler holds it to the generated types, both ways). */
const KNOWN_TYPES: Record<EventType, true> = {
  'document.exported': true,
  'contact.created': true,
  'contact.updated': true,
  'folder.created': true,
  'folder.updated': true,
  'channel.failing': true,
  'channel.recovered': true,
  'channel.disabled': true,
  'delivery.failed': true,
};

const isEventType = (type: unknown): type is EventType => typeof type === 'string' && Object.hasOwn(KNOWN_TYPES, type);

export type ReceiverOptions = {
  /** The signingSecret of webhookSettings (whsec_…). */
  secret: string;
  /** The bearerToken set with configureWebhooks, when one is set. */
  bearerToken?: string;
  /** Called once per verified webhook of a known type, before the answer: answer fast, queue heavy work. */
  handle(webhook: VerifiedWebhook): void | Promise<void>;
};

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end();
}

const header = (headers: IncomingHttpHeaders, name: string) => String(headers[name] ?? '');

/** An HTTP server that answers 200 to every webhook it verified (an event type it does not know included, so that it is not retried). */
export function createTypedReceiver(opts: ReceiverOptions): Server {
  const verifier = new Webhook(opts.secret);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      if (opts.bearerToken !== undefined && req.headers.authorization !== `Bearer ${opts.bearerToken}`) return answer(res, 401);
      let body: unknown;
      try {
        // The signature covers webhook-id, webhook-timestamp and the raw body; the timestamp must be within 5 minutes.
        body = verifier.verify(Buffer.concat(chunks).toString('utf8'), {
          'webhook-id': header(req.headers, 'webhook-id'),
          'webhook-timestamp': header(req.headers, 'webhook-timestamp'),
          'webhook-signature': header(req.headers, 'webhook-signature'),
        });
      } catch {
        return answer(res, 401);
      }
      const type = req.headers['x-recordengine-event'];
      if (isEventType(type)) {
        try {
          await opts.handle({ id: header(req.headers, 'webhook-id'), type, body } as VerifiedWebhook);
        } catch {
          // Not handled: a failed attempt, retried on the schedule.
          return answer(res, 500);
        }
      }
      answer(res, 200);
    });
  });
}

/** One line about a webhook, reading only fields the contract guarantees for its type. */
export function describeWebhook(webhook: VerifiedWebhook): string {
  switch (webhook.type) {
    case 'document.exported':
      return `document ${webhook.body.id} "${webhook.body.filename}" exported from ${webhook.body.folder_name}, ${webhook.body.line_items.length} line items`;
    case 'contact.created':
    case 'contact.updated':
      return `contact ${webhook.body.id} "${webhook.body.name}" (${webhook.body.type}) ${webhook.type === 'contact.created' ? 'created' : 'updated'}`;
    case 'folder.created':
    case 'folder.updated':
      return `folder ${webhook.body.id} "${webhook.body.name}" of ${webhook.body.contact_name}`;
    case 'channel.failing':
      return `${webhook.body.channel} failing: ${webhook.body.consecutive_failures} failures in a row since ${webhook.body.failing_since}`;
    case 'channel.recovered':
      return `${webhook.body.channel} recovered at ${webhook.body.recovered_at} after ${webhook.body.failed_attempts} failed attempts`;
    case 'channel.disabled':
      return `${webhook.body.channel} switched off: ${webhook.body.reason}`;
    case 'delivery.failed':
      return `delivery ${webhook.body.delivery_id} of ${webhook.body.event_type} ${webhook.body.event_id} failed after ${webhook.body.attempts} attempts`;
  }
}
