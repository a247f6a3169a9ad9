import { z } from 'zod';
import { CONFIDENCE_DISPLAY, CONTACT_TYPE_DISPLAY, SOURCE_DISPLAY, STATUS_DISPLAY } from './display.js';
import { EVENT_TYPES, type EventTypeString } from './event-types.js';

/**
 * The webhook bodies as schemas: the one description of the wire format. The payload builders
 * (payloads.ts) return their types, the webhook contract (webhooks/contract.ts) publishes them as
 * JSON Schema, and the tests' receivers validate every body they get against them, including the
 * bodies that SQL builds (payload-sql.ts, the operational events).
 */

/** An instant as every payload writes it: ISO 8601 in UTC to the second (2025-11-15T08:23:41Z). */
const instant = (description: string) => z.iso.datetime({ precision: 0 }).describe(description);

const id = (description: string) => z.int().positive().describe(description);

export const LineItemSchema = z
  .object({
    description: z.string(),
    quantity: z.number(),
    unit_price: z.number(),
    amount: z.number(),
  })
  .meta({ id: 'LineItem', description: 'A table row extracted from the document. Numbers are JSON numbers: 1500.00 arrives as 1500.' });

export const DocumentPayloadSchema = z
  .object({
    id: id('Unique document id.'),
    filename: z.string().describe('Stored filename.'),
    original_filename: z.string().describe('The filename as uploaded.'),
    status: z.enum(STATUS_DISPLAY).describe('The status, shown as in the product: always "Export" for document.exported.'),
    source: z.enum(SOURCE_DISPLAY).describe('Where the document came from.'),
    doc_type: z.string().nullable().describe('Document type detected by the AI.'),
    doc_date: z.iso.date().nullable().describe('Date extracted from the document, YYYY-MM-DD.'),
    contact_id: id('Id of the owning contact.'),
    contact_name: z.string().describe('Name of the owning contact.'),
    folder_id: id('Id of the owning folder.'),
    folder_name: z.string().describe('Name of the owning folder.'),
    ai_summary: z.string().nullable().describe('Plain-language AI summary.'),
    confidence_score: z.int().min(0).max(100).nullable().describe('AI confidence, 0–100.'),
    confidence_label: z.enum(CONFIDENCE_DISPLAY).nullable().describe('High (≥ 90), Good (75–89), Low (50–74), Poor (< 50); null without a score.'),
    confidence_reasoning: z.string().nullable().describe("The AI's explanation of the score."),
    extracted_fields: z
      .record(z.string(), z.unknown())
      .describe('Every field of the extraction, keyed by its label in snake_case ("Invoice Number" → invoice_number); values as recorded (the extraction gives strings).'),
    line_items: z.array(LineItemSchema).describe('Table rows extracted from the document.'),
    external_refs: z.record(z.string(), z.unknown()).describe('CRM correlation ids given when the document was created ({} when none).'),
    doc_url: z.url().describe('Deep link that opens this document: <PUBLIC_URL>/api/document/<id>/view.'),
    created_at: instant('Upload time.'),
    updated_at: instant('Last-modified time.'),
  })
  .meta({ id: 'DocumentPayload', description: 'A document as it was when the event was recorded.' });

export const ContactPayloadSchema = z
  .object({
    id: id('Unique contact id.'),
    name: z.string().describe("The contact's name."),
    type: z.enum(CONTACT_TYPE_DISPLAY).describe('The kind of contact, shown as in the product.'),
    email: z.string().nullable().describe('Email address.'),
    phone: z.string().nullable().describe('Phone number, as entered.'),
    notes: z.string().nullable().describe('Free-text notes.'),
    created_at: instant('Creation time.'),
    updated_at: instant('Last-modified time.'),
  })
  .meta({ id: 'ContactPayload', description: 'The whole contact after the change (contact.updated too: not only what changed).' });

export const FolderPayloadSchema = z
  .object({
    id: id('Unique folder id.'),
    name: z.string().describe("The folder's name."),
    contact_id: id('Id of the contact the folder belongs to.'),
    contact_name: z.string().describe("That contact's name when the folder event was recorded."),
    created_at: instant('Creation time.'),
    updated_at: instant('Last-modified time.'),
  })
  .meta({ id: 'FolderPayload', description: 'A folder as it was when the event was recorded.' });

/** What an operational event is about: a channel by its name, or a webhook endpoint. */
const target = z
  .union([z.enum(['document', 'contact', 'folder']), z.string().regex(/^endpoint:[1-9]\d*$/)])
  .describe('The channel (document, contact, folder), or endpoint:<id> for a webhook endpoint.');

const targetUrl = z.url().describe("The channel's or endpoint's URL.");

export const LastAttemptSchema = z
  .object({
    http_status: z.int().nullable().describe("The receiver's HTTP status; null when no answer came."),
    error: z.string().nullable().describe('Why the attempt failed.'),
    at: instant('When the attempt started.'),
  })
  .meta({ id: 'LastAttempt', description: 'The last failed attempt.' });

export const ChannelFailingPayloadSchema = z
  .object({
    channel: target,
    url: targetUrl,
    consecutive_failures: z.int().positive().describe('Failed attempts in a row (WEBHOOK_CIRCUIT_FAILURES).'),
    failing_since: instant('Since when every attempt has failed.'),
    last_attempt: LastAttemptSchema,
  })
  .meta({ id: 'ChannelFailingPayload', description: "A channel's circuit breaker opened: it gets one attempt at a time until one succeeds." });

export const ChannelRecoveredPayloadSchema = z
  .object({
    channel: target,
    url: targetUrl,
    failing_since: instant('Since when every attempt had failed.'),
    failed_attempts: z.int().positive().describe('Failed attempts in a row before this success.'),
    recovered_at: instant('When it delivered again.'),
  })
  .meta({ id: 'ChannelRecoveredPayload', description: 'A channel whose circuit breaker was open delivered again.' });

export const ChannelDisabledPayloadSchema = z
  .object({
    channel: target,
    url: targetUrl.nullable(),
    reason: z.string().describe('Why: 410 Gone, failing for WEBHOOK_DISABLE_AFTER, or switched off by hand.'),
    disabled_at: instant('When it was switched off.'),
    failed_deliveries: z.int().min(0).describe('The deliveries that failed because it went off.'),
  })
  .meta({ id: 'ChannelDisabledPayload', description: 'A channel or endpoint was switched off.' });

export const DeliveryFailedPayloadSchema = z
  .object({
    delivery_id: z.string().regex(/^[1-9]\d*$/).describe('The delivery, as WebhookDelivery.id: redeliverWebhook(deliveryId) queues it again.'),
    event_id: z.string().regex(/^msg_[0-9a-f]{32}$/).describe("The event's id: the webhook-id of its deliveries."),
    event_type: z.enum(EVENT_TYPES).describe("The event's type."),
    channel: target,
    entity_id: z.int().describe('The document, contact or folder the event is about.'),
    attempts: z.int().positive().describe('Attempts made since it was last queued.'),
    last_attempt: LastAttemptSchema,
    failed_at: instant('When its retry schedule was spent.'),
  })
  .meta({ id: 'DeliveryFailedPayload', description: "A delivery's retry schedule is spent; it stays in the delivery log, to redeliver." });

/** The body of each event type. */
export const EVENT_PAYLOAD_SCHEMAS = {
  'document.exported': DocumentPayloadSchema,
  'contact.created': ContactPayloadSchema,
  'contact.updated': ContactPayloadSchema,
  'folder.created': FolderPayloadSchema,
  'folder.updated': FolderPayloadSchema,
  'channel.failing': ChannelFailingPayloadSchema,
  'channel.recovered': ChannelRecoveredPayloadSchema,
  'channel.disabled': ChannelDisabledPayloadSchema,
  'delivery.failed': DeliveryFailedPayloadSchema,
} as const satisfies Record<EventTypeString, z.ZodType>;

export type DocumentPayload = z.output<typeof DocumentPayloadSchema>;
export type ContactPayload = z.output<typeof ContactPayloadSchema>;
export type FolderPayload = z.output<typeof FolderPayloadSchema>;
export type PayloadOf<T extends EventTypeString> = z.output<(typeof EVENT_PAYLOAD_SCHEMAS)[T]>;

/** Every schema with a name of its own (meta id): the bodies and the parts they share. */
export const NAMED_SCHEMAS: readonly z.ZodType[] = [LineItemSchema, LastAttemptSchema, ...new Set(Object.values(EVENT_PAYLOAD_SCHEMAS))];
