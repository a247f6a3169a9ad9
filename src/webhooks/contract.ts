import { z } from 'zod';
import type { JsonSchema } from '../endpoints/body-schema.js';
import { CHANNEL_OF, EVENT_TYPES, type EventTypeString } from '../events/event-types.js';
import { EVENT_PAYLOAD_SCHEMAS, NAMED_SCHEMAS } from '../events/payload-schemas.js';
import { sampleEvents } from '../events/samples.js';
import { USER_AGENT } from './sender.js';
import { TEST_EVENT_TYPES } from './tester.js';

/**
 * The webhook contract as a document machines read: OpenAPI 3.1 `webhooks`, one per event type
 * under its wire name, each a POST with its headers, the JSON Schema of its body (from
 * payload-schemas.ts, the schemas the payload builders are typed by), an example built by the
 * payload code, and what each answer does. Served at GET /webhooks/openapi.json and committed as
 * docs/webhooks.openapi.json (npm run contract writes it, contract:check compares).
 */

export type WebhookOperation = { post: JsonSchema };
export type WebhookContract = {
  openapi: '3.1.1';
  jsonSchemaDialect: string;
  info: JsonSchema;
  webhooks: Record<string, WebhookOperation>;
  components: { schemas: Record<string, JsonSchema>; parameters: Record<string, JsonSchema>; responses: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
};

/** The PUBLIC_URL of the examples (their doc_url): the webhooks reference's, so that the document is the same wherever it is served. */
export const EXAMPLE_PUBLIC_URL = 'https://a9f3d7e2.recordengine.ai';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The payload schemas as components, each shared part (a line item, a last attempt) once, referenced where it is used. */
function payloadComponents(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const schema of NAMED_SCHEMAS) registry.add(schema, { id: componentName(schema) });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  // Each component is a schema inside this document, not a document of its own: no $schema or $id.
  return Object.fromEntries(Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...schema }]) => [name, schema]));
}

function componentName(schema: z.ZodType): string {
  const id = schema.meta()?.id;
  if (typeof id !== 'string') throw new Error('every payload schema names its component with meta({ id })');
  return id;
}

const EVENT_DESCRIPTIONS: Record<EventTypeString, string> = {
  'document.exported':
    'A document reached the Export status: the Webhook Export button (exportDocument, also on an exported document: it exports again), setDocumentStatus(id, EXPORT), or a rule that sets that status.',
  'contact.created': 'A contact was created (createContact).',
  'contact.updated': 'A contact changed (updateContact that changed at least one value). The body is the whole contact after the change.',
  'folder.created': 'A folder was created: createFolder, and createContact (every new contact gets the folders Documents and Review).',
  'folder.updated': 'A folder changed (updateFolder that changed at least one value).',
  'channel.failing': "A channel's or endpoint's failures in a row reached WEBHOOK_CIRCUIT_FAILURES: its circuit breaker opened.",
  'channel.recovered': 'A channel or endpoint whose circuit breaker was open delivered again.',
  'channel.disabled': 'A channel or endpoint was switched off: 410 Gone, failing for WEBHOOK_DISABLE_AFTER, or by hand.',
  'delivery.failed': "A delivery's retry schedule is spent.",
};

const TEST_CHANNEL_OF = Object.fromEntries(Object.entries(TEST_EVENT_TYPES).map(([channel, type]) => [type, channel])) as Partial<Record<EventTypeString, string>>;

const PARAMETERS: Record<string, JsonSchema> = {
  WebhookId: {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description:
      "The event's id (Event.id in the GraphQL API): the same on every retry, redelivery and replay of the event, and on every channel and endpoint that gets it. The receiver's idempotency key. A test webhook's starts with msg_test_.",
    schema: { type: 'string', pattern: '^msg_(test_)?[0-9a-f]{32}$' },
    example: 'msg_2f1c0c2b9d5e4c8fa1b0e6d7c3a49f10',
  },
  WebhookTimestamp: {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was signed, in Unix seconds. Refuse a request more than 5 minutes away from your clock.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    example: '1763197500',
  },
  WebhookSignature: {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Standard Webhooks signatures: space-separated v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">. Two while a rotated secret overlaps (WEBHOOK_SECRET_OVERLAP); accept the request when one matches.',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
  Authorization: {
    name: 'authorization',
    in: 'header',
    required: false,
    description: 'Bearer <bearerToken>, sent when configureWebhooks set a bearer token (the bearerToken security scheme says the same for tools that ignore this header).',
    schema: { type: 'string', pattern: '^Bearer [\\x21-\\x7e]+$' },
  },
  UserAgent: {
    name: 'user-agent',
    in: 'header',
    required: true,
    schema: { type: 'string', const: USER_AGENT },
  },
};

const RETRY_AFTER = {
  'Retry-After': {
    description:
      'Seconds or an HTTP date: the next attempt waits that long when it is later than the schedule, up to the longest delay of WEBHOOK_RETRY_SCHEDULE. Without it, the schedule.',
    schema: { type: 'string' },
  },
};

const RESPONSES: Record<string, JsonSchema> = {
  Delivered: { description: "Delivered. Only 200 counts, within WEBHOOK_TIMEOUT for the whole exchange; the answer's body is not interpreted." },
  Gone: { description: 'The channel or endpoint is switched off at once; what waits on it fails (channel.disabled tells of it).' },
  SlowDown: { description: 'A failed attempt, retried; Retry-After can make the next attempt wait longer.', headers: RETRY_AFTER },
  Failed: {
    description:
      'Any other answer (another 2xx, 3xx, 4xx, 5xx, a status outside 200–599), no complete answer within WEBHOOK_TIMEOUT, or no connection: a failed attempt, retried on the schedule (WEBHOOK_RETRY_SCHEDULE, ±20%); the delivery fails when the schedule is spent.',
  },
};

const RESPONSE_REFS = {
  '200': { $ref: '#/components/responses/Delivered' },
  '410': { $ref: '#/components/responses/Gone' },
  '429': { $ref: '#/components/responses/SlowDown' },
  '503': { $ref: '#/components/responses/SlowDown' },
  default: { $ref: '#/components/responses/Failed' },
};

/** A webhook's POST: the headers, the body as given, and the answers. `eventTypes`: what its x-recordengine-event can say. */
export function webhookOperation(opts: {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  eventTypes: readonly EventTypeString[];
  body: JsonSchema;
  examples?: Record<string, { summary: string; value: unknown }>;
}): WebhookOperation {
  const eventSchema = opts.eventTypes.length === 1 ? { type: 'string', const: opts.eventTypes[0] } : { type: 'string', enum: opts.eventTypes };
  return {
    post: {
      operationId: opts.operationId,
      summary: opts.summary,
      description: opts.description,
      tags: opts.tags,
      parameters: [
        { $ref: '#/components/parameters/WebhookId' },
        { $ref: '#/components/parameters/WebhookTimestamp' },
        { $ref: '#/components/parameters/WebhookSignature' },
        { $ref: '#/components/parameters/Authorization' },
        {
          name: 'x-recordengine-event',
          in: 'header',
          required: true,
          description: 'The event type (not covered by the signature).',
          schema: eventSchema,
        },
        { $ref: '#/components/parameters/UserAgent' },
      ],
      security: [{}, { bearerToken: [] }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: opts.body, ...(opts.examples && { examples: opts.examples }) } },
      },
      responses: RESPONSE_REFS,
    },
  };
}

/** `document.exported` → `documentExported`. */
const operationId = (type: string) => type.replace(/[.:](\w)/g, (_, c: string) => c.toUpperCase());

function eventWebhook(type: EventTypeString, example: unknown): WebhookOperation {
  const channel = CHANNEL_OF[type];
  const test = TEST_CHANNEL_OF[type];
  const testNote = test ? ` testWebhook(channel: ${test}) sends this example, with a webhook-id starting msg_test_.` : '';
  return webhookOperation({
    operationId: operationId(type),
    summary: type,
    description: `${EVENT_DESCRIPTIONS[type]} Sent to the ${channel} channel's URL.${testNote}`,
    tags: [channel],
    eventTypes: [type],
    body: schemaRef(componentName(EVENT_PAYLOAD_SCHEMAS[type])),
    examples: { reference: { summary: 'The example records of the webhooks reference', value: example } },
  });
}

export function buildWebhookContract(): WebhookContract {
  const examples = sampleEvents(EXAMPLE_PUBLIC_URL);
  const types = Object.values(EVENT_TYPES);
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'RecordEngine Bridge webhooks',
      version: '1.0.0',
      summary: 'What RecordEngine sends to your receivers: one webhook per event type, signed per Standard Webhooks.',
      description:
        'Every change of a document, contact or folder is POSTed as JSON to the URL of its channel (DOCUMENT, CONTACT, FOLDER); operational events go to the OPERATIONS channel. Answer 200 exactly. Webhook endpoints (GraphQL subscription documents) are added with ?endpoint=<id>. See WEBHOOKS.md.',
    },
    webhooks: Object.fromEntries(types.map((type) => [type, eventWebhook(type, examples[type])])),
    components: {
      schemas: payloadComponents(),
      parameters: PARAMETERS,
      responses: RESPONSES,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'The bearer token set with configureWebhooks, when one is set.' },
      },
    },
  };
}

/** The document as served and committed: built once, two-space indented, with a final newline. */
export function contractText(contract: WebhookContract): string {
  return `${JSON.stringify(contract, null, 2)}\n`;
}

/** An endpoint as its webhook is published: its id, URL, the body schema of its document, and the event types its root field chooses. */
export type PublishedEndpoint = { id: string; url: string; bodySchema: JsonSchema; eventTypes: readonly EventTypeString[] };

/** The contract with an endpoint's webhook added, under `endpoint:<id>`, its body schema as the component Endpoint<id>Body. */
export function withEndpointWebhook(contract: WebhookContract, endpoint: PublishedEndpoint): WebhookContract {
  const name = `Endpoint${endpoint.id}Body`;
  const { $schema: _dialect, ...body } = endpoint.bodySchema;
  const webhook = webhookOperation({
    operationId: `endpoint${endpoint.id}`,
    summary: `endpoint:${endpoint.id}`,
    description: `The webhook of endpoint ${endpoint.id} (${endpoint.url}): for each event its subscription document chooses, the document's GraphQL result, signed with the endpoint's own secret.`,
    tags: ['ENDPOINT'],
    eventTypes: endpoint.eventTypes,
    body: schemaRef(name),
  });
  return {
    ...contract,
    webhooks: { ...contract.webhooks, [`endpoint:${endpoint.id}`]: webhook },
    components: { ...contract.components, schemas: { ...contract.components.schemas, [name]: body } },
  };
}
