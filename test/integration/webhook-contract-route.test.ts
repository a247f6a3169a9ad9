import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { contractViolation, schemaValidator } from '../helpers/webhook-contract.js';
import { createContact, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  [t, receiver] = await Promise.all([startTestApp(), new TestReceiver().start()]);
});
afterAll(async () => {
  await Promise.all([t.stop(), receiver.stop()]);
});

const contractUrl = (query = '') => `${t.url}/webhooks/openapi.json${query}`;

async function validOpenApi(document: unknown) {
  const validator = new Validator();
  // A copy: resolving the references rewrites the document in place.
  const result = await validator.validate(structuredClone(document) as Parameters<Validator['validate']>[0]);
  expect(result.errors).toBeUndefined();
  expect(() => validator.resolveRefs()).not.toThrow();
}

describe('GET /webhooks/openapi.json', () => {
  it('serves the committed contract without a token', async () => {
    const res = await fetch(contractUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(readFileSync(new URL('../../docs/webhooks.openapi.json', import.meta.url), 'utf8'));
  });

  it("adds an endpoint's webhook with a token: its body schema, the event types its document chooses; real bodies validate and wrong ones do not", async () => {
    const url = receiver.endpointUrl();
    const subscription = 'subscription { contactChanged { id name type createdAt __typename folders(first: 5) { edges { node { nickname: name } } } } }';
    const { createWebhookEndpoint } = await t.ok(
      `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id bodySchema } } }`,
      { input: { url, subscription } },
    );
    const { id, bodySchema } = createWebhookEndpoint.endpoint as { id: string; bodySchema: Record<string, unknown> };
    receiver.expectEndpoint(url, bodySchema);

    const res = await fetch(contractUrl(`?endpoint=${id}`), { headers: { authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(200);
    const document = (await res.json()) as { webhooks: Record<string, { post: { parameters: unknown[]; requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>; components: { schemas: Record<string, Record<string, unknown>> } };
    await validOpenApi(document);
    const webhook = document.webhooks[`endpoint:${id}`]!.post;
    expect(webhook.parameters).toContainEqual(expect.objectContaining({ name: 'x-recordengine-event', schema: { type: 'string', enum: ['contact.created', 'contact.updated'] } }));
    expect(webhook.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/Endpoint${id}Body` });
    const { $schema: _, ...published } = bodySchema;
    expect(document.components.schemas[`Endpoint${id}Body`]).toEqual(published);
    // The channels' webhooks are all still there.
    expect(Object.keys(document.webhooks)).toContain('document.exported');

    const contact = await createContact(t, 'Contract Ltd');
    await t.app.broadcaster.runOnce();
    await t.app.materializer.runOnce();
    await t.app.worker!.drain();
    await receiver.waitFor(1);
    const validate = schemaValidator(bodySchema);
    const [delivered] = receiver.requests;
    expect(delivered!.json).toMatchObject({ data: { contactChanged: { id: contact, name: 'Contract Ltd', type: 'CLIENT', __typename: 'Contact' } } });
    expect(contractViolation(validate, delivered!.json)).toBeUndefined();
    const changed = delivered!.json.data.contactChanged;
    expect(contractViolation(validate, { data: { contactChanged: { ...changed, id: Number(changed.id) } } })).toContain('must be string');
    expect(contractViolation(validate, { data: { contactChanged: { ...changed, type: 'Client' } } })).toContain('must be equal to one of the allowed values');
    expect(contractViolation(validate, { data: { contactChanged: { ...changed, folders: { edges: [{ node: { name: 'Documents' } }] } } } })).toContain('must NOT have additional properties');
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
  });

  it('refuses the endpoint variant without a valid token (401), a malformed id (400) and an unknown endpoint (404)', async () => {
    expect((await fetch(contractUrl('?endpoint=1'))).status).toBe(401);
    expect((await fetch(contractUrl('?endpoint=1'), { headers: { authorization: 'Bearer re_wrong' } })).status).toBe(401);
    const malformed = await fetch(contractUrl('?endpoint=abc'), withTokenHeaders());
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'endpoint "abc" is not a webhook endpoint id' });
    const unknown = await fetch(contractUrl('?endpoint=999999'), withTokenHeaders());
    expect(unknown.status).toBe(404);
  });

  it('answers 409, and bodySchema is null, for an endpoint whose stored document the schema no longer accepts', async () => {
    const { createWebhookEndpoint } = await t.ok(
      `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
      { input: { url: receiver.endpointUrl(), subscription: 'subscription { folderChanged { name } }', enabled: false } },
    );
    const { id } = createWebhookEndpoint.endpoint as { id: string };
    // As after an upgrade that renamed a field.
    await sql(t.databaseUrl, `update webhook_endpoints set subscription = 'subscription { folderChanged { title } }' where id = $1`, [id]);
    const res = await fetch(contractUrl(`?endpoint=${id}`), withTokenHeaders());
    expect(res.status).toBe(409);
    const { webhookEndpoint } = await t.ok(`query($id: ID!) { webhookEndpoint(id: $id) { bodySchema } }`, { id });
    expect(webhookEndpoint).toEqual({ bodySchema: null });
    await t.ok(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id });
  });
});

function withTokenHeaders() {
  return { headers: { authorization: `Bearer ${t.token}` } };
}
