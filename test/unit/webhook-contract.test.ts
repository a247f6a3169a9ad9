import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/events/event-types.js';
import { contactPayload, documentPayload } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT, SAMPLE_DOCUMENT } from '../../src/events/samples.js';
import { buildWebhookContract, contractText, EXAMPLE_PUBLIC_URL } from '../../src/webhooks/contract.js';
import { contractViolation, eventBodyValidator } from '../helpers/webhook-contract.js';

const contract = buildWebhookContract();
const reference = JSON.parse(readFileSync(new URL('../fixtures/reference-payloads.json', import.meta.url), 'utf8')) as Record<'document' | 'contact' | 'folder', unknown>;

type Operation = {
  parameters: ({ $ref: string } | { name: string; in: string; required: boolean; schema: Record<string, unknown> })[];
  requestBody: { required: boolean; content: { 'application/json': { schema: { $ref: string }; examples: Record<string, { value: unknown }> } } };
  responses: Record<string, { $ref: string }>;
};
const operation = (type: string) => contract.webhooks[type]!.post as unknown as Operation;

function validatorOf(type: string) {
  const validate = eventBodyValidator(type);
  if (!validate) throw new Error(`no schema for ${type}`);
  return validate;
}

describe('the webhook contract', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(contract));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('is what docs/webhooks.openapi.json holds (npm run contract writes it)', () => {
    expect(readFileSync(new URL('../../docs/webhooks.openapi.json', import.meta.url), 'utf8')).toBe(contractText(contract));
  });

  it('has a webhook per event type, under its wire name, with the headers a receiver checks and the answers that matter', () => {
    expect(Object.keys(contract.webhooks).sort()).toEqual(Object.values(EVENT_TYPES).sort());
    for (const type of Object.values(EVENT_TYPES)) {
      const post = operation(type);
      const refs = post.parameters.flatMap((p) => ('$ref' in p ? [p.$ref.split('/').at(-1)] : []));
      expect(refs).toEqual(['WebhookId', 'WebhookTimestamp', 'WebhookSignature', 'Authorization', 'UserAgent']);
      expect(post.parameters).toContainEqual(expect.objectContaining({ name: 'x-recordengine-event', in: 'header', required: true, schema: { type: 'string', const: type } }));
      expect(post.requestBody.required).toBe(true);
      expect(Object.keys(post.responses).sort()).toEqual(['200', '410', '429', '503', 'default']);
    }
    const names = Object.values(contract.components.parameters).map((p) => p['name']);
    expect(names).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'authorization', 'user-agent']);
    expect(contract.components.responses['SlowDown']).toMatchObject({ headers: { 'Retry-After': expect.any(Object) } });
  });

  it('describes each field, with formats and enum values', () => {
    const document = contract.components.schemas['DocumentPayload'] as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: boolean };
    expect(document.additionalProperties).toBe(false);
    expect(document.required).toHaveLength(Object.keys(document.properties).length);
    for (const [name, property] of Object.entries(document.properties)) expect(property['description'], name).toEqual(expect.any(String));
    expect(document.properties['created_at']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(document.properties['doc_url']).toMatchObject({ type: 'string', format: 'uri' });
    expect(document.properties['source']).toMatchObject({ enum: ['UI', 'API', 'Email', 'Hot Folder'] });
    expect(document.properties['line_items']).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/LineItem' } });
  });

  it('shows examples built by the payload code, each valid against its schema', () => {
    expect(operation('document.exported').requestBody.content['application/json'].examples['reference']!.value).toEqual(documentPayload(SAMPLE_DOCUMENT, EXAMPLE_PUBLIC_URL));
    expect(operation('contact.updated').requestBody.content['application/json'].examples['reference']!.value).toEqual(contactPayload(SAMPLE_CONTACT));
    for (const type of Object.values(EVENT_TYPES)) {
      for (const { value } of Object.values(operation(type).requestBody.content['application/json'].examples)) {
        expect(contractViolation(validatorOf(type), value), type).toBeUndefined();
      }
    }
  });

  it("accepts the webhooks reference's own examples", () => {
    expect(contractViolation(validatorOf('document.exported'), reference.document)).toBeUndefined();
    for (const type of ['contact.created', 'contact.updated']) expect(contractViolation(validatorOf(type), reference.contact)).toBeUndefined();
    for (const type of ['folder.created', 'folder.updated']) expect(contractViolation(validatorOf(type), reference.folder)).toBeUndefined();
  });

  it('refuses a body that leaves it: a wrong type, a value outside its enum or format, a field missing or one too many', () => {
    const body = documentPayload(SAMPLE_DOCUMENT, EXAMPLE_PUBLIC_URL);
    const validate = validatorOf('document.exported');
    const { folder_name: _, ...missing } = body;
    const cases: [unknown, string][] = [
      [{ ...body, id: '847' }, 'body/id must be integer'],
      [{ ...body, status: 'EXPORT' }, 'body/status must be equal to one of the allowed values'],
      [{ ...body, created_at: '2025-11-15 08:23:41' }, 'body/created_at must match format "date-time"'],
      [{ ...body, doc_url: 'not a link' }, 'body/doc_url must match format "uri"'],
      [{ ...body, line_items: [{ description: 'x', quantity: '1', unit_price: 1, amount: 1 }] }, 'body/line_items/0/quantity must be number'],
      [missing, "body must have required property 'folder_name'"],
      [{ ...body, exported_by: 'someone' }, 'body must NOT have additional properties'],
    ];
    for (const [wrong, why] of cases) expect(contractViolation(validate, wrong)).toContain(why);
  });
});
