import { readFileSync } from 'node:fs';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { endpointBodySchema, type JsonSchema } from '../../src/endpoints/body-schema.js';
import { contractViolation, schemaValidator } from '../helpers/webhook-contract.js';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

const bodySchema = (document: string) => endpointBodySchema(schema, parse(document));
const violation = (document: string, body: unknown) => contractViolation(schemaValidator(bodySchema(document)), body);

/** The schema of `data`'s object (data is that object or null). */
function dataObject(body: JsonSchema): { properties: Record<string, JsonSchema>; required: string[] } {
  const data = (body['properties'] as { data: { anyOf: JsonSchema[] } }).data;
  return data.anyOf[0] as { properties: Record<string, JsonSchema>; required: string[] };
}

describe("an endpoint's body schema", () => {
  it('gives each selected field its type, nullability, enum values and lists, under its alias', () => {
    const body = bodySchema('subscription { exported: documentExported { id status docDate confidenceScore lineItems { amount } extractedFields } }');
    expect(body).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', required: ['data'], additionalProperties: false });
    const exported = dataObject(body).properties['exported']!;
    expect(dataObject(body).required).toEqual(['exported']);
    expect(exported).toMatchObject({
      type: 'object',
      required: ['id', 'status', 'docDate', 'confidenceScore', 'lineItems', 'extractedFields'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        status: { type: 'string', enum: ['NEW', 'PROCESSING', 'NEEDS_REVIEW', 'MISSING_INFO', 'READY', 'APPROVED', 'EXPORT', 'EXCEPTION', 'ARCHIVED'] },
        docDate: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
        confidenceScore: { description: '0–100.', anyOf: [{ type: 'integer' }, { type: 'null' }] },
        lineItems: { type: 'array', items: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } },
        extractedFields: { description: expect.any(String) },
      },
    });
  });

  it('merges fragments, named and inline, and repeated fields; __typename is the type', () => {
    const document = `subscription { contactChanged { __typename name ... on Contact { email } ...More parent { id } parent { name } } }
      fragment More on Contact { type createdAt }`;
    const contact = dataObject(bodySchema(document)).properties['contactChanged'] as { properties: Record<string, JsonSchema>; required: string[] };
    expect(contact.required).toEqual(['__typename', 'name', 'email', 'type', 'createdAt', 'parent']);
    expect(contact.properties['__typename']).toEqual({ type: 'string', const: 'Contact' });
    expect(contact.properties['createdAt']).toEqual({ type: 'string', format: 'date-time' });
    expect(contact.properties['parent']).toEqual({
      anyOf: [{ type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['id', 'name'], additionalProperties: false }, { type: 'null' }],
    });
  });

  it('lets a field under @include or @skip of a variable be absent, and leaves out what a literal skips', () => {
    const document = `subscription($withEmail: Boolean!) { contactChanged { name email @include(if: $withEmail) phone @skip(if: true) notes @include(if: true)
      parent @include(if: $withEmail) { id } parent { name } } }`;
    const contact = dataObject(bodySchema(document)).properties['contactChanged'] as { properties: Record<string, JsonSchema>; required: string[] };
    expect(Object.keys(contact.properties)).toEqual(['name', 'email', 'notes', 'parent']);
    expect(contact.required).toEqual(['name', 'notes', 'parent']);
    // parent is always there; its id only when the variable says so.
    expect((contact.properties['parent'] as { anyOf: { required: string[] }[] }).anyOf[0]!.required).toEqual(['name']);
  });

  it('holds real bodies and refuses a body of the wrong shape', () => {
    const document = 'subscription { documentExported { id status confidenceScore contact { name } lineItems { amount } } }';
    const good = { data: { documentExported: { id: '42', status: 'EXPORT', confidenceScore: null, contact: { name: 'Acme' }, lineItems: [{ amount: 15000 }] } } };
    expect(violation(document, good)).toBeUndefined();
    // A field that could not be resolved: data is null and errors say why.
    expect(violation(document, { errors: [{ message: 'gone', locations: [{ line: 1, column: 16 }], path: ['documentExported', 'contact'] }], data: null })).toBeUndefined();
    const exported = good.data.documentExported;
    expect(violation(document, { data: { documentExported: { ...exported, id: 42 } } })).toContain('body/data/documentExported/id must be string');
    expect(violation(document, { data: { documentExported: { ...exported, status: 'Export' } } })).toContain('must be equal to one of the allowed values');
    expect(violation(document, { data: { documentExported: { ...exported, confidenceScore: 87.5 } } })).toContain('body/data/documentExported/confidenceScore must be integer');
    expect(violation(document, { data: { documentExported: { ...exported, contact: null } } })).toContain('body/data/documentExported/contact must be object');
    expect(violation(document, { data: { documentExported: { ...exported, lineItems: { amount: 1 } } } })).toContain('body/data/documentExported/lineItems must be array');
    expect(violation(document, { data: { documentExported: { ...exported, docType: 'invoice' } } })).toContain('must NOT have additional properties');
    expect(violation(document, { documentExported: exported })).toContain("must have required property 'data'");
  });
});
