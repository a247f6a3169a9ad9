import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTypedReceiver, describeWebhook, type VerifiedWebhook } from '../../examples/typed-receiver/receiver.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { contractViolation, eventBodyValidator } from '../helpers/webhook-contract.js';

const BEARER = 'typed-receiver-token';

let t: TestApp;
let server: Server;
const received: VerifiedWebhook[] = [];
let arrived: () => void = () => undefined;

beforeAll(async () => {
  t = await startTestApp();
  const { configureWebhooks } = await t.ok(`mutation($token: String!) { configureWebhooks(input: { bearerToken: $token }) { signingSecret } }`, { token: BEARER });
  server = createTypedReceiver({
    secret: configureWebhooks.signingSecret,
    bearerToken: BEARER,
    handle: (webhook) => {
      received.push(webhook);
      arrived();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  await t.ok(`mutation($url: String!) { configureWebhooks(input: { document: { url: $url, enabled: true }, contact: { url: $url, enabled: true }, folder: { url: $url, enabled: true }, operations: { url: $url, enabled: true } }) { offlineMode } }`, { url });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.stop();
});

/** Resolves once the receiver has handled `count` webhooks. */
function handled(count: number): Promise<void> {
  return new Promise((resolve) => {
    arrived = () => received.length >= count && resolve();
    arrived();
  });
}

it('receives the real service typed by the generated contract: verified, narrowed on the event type, every body within its schema', async () => {
  const { createContact } = await t.ok(`mutation { createContact(input: { name: "Typed Ltd", type: VENDOR }) { id } }`);
  await t.ok(`mutation($id: ID!) { updateContact(id: $id, input: { email: "typed@example.com" }) { id } }`, { id: createContact.id });
  await t.ok(`mutation { testWebhook(channel: DOCUMENT) { ok } }`);
  await t.ok(`mutation { testWebhook(channel: OPERATIONS) { ok } }`);
  await handled(6);

  for (const webhook of received) expect(contractViolation(eventBodyValidator(webhook.type)!, webhook.body), webhook.type).toBeUndefined();
  const lines = received.map(describeWebhook);
  expect(lines).toHaveLength(6);
  expect(lines).toEqual(
    expect.arrayContaining([
      `contact ${createContact.id} "Typed Ltd" (Vendor) created`,
      `contact ${createContact.id} "Typed Ltd" (Vendor) updated`,
      expect.stringMatching(/^folder \d+ "Documents" of Typed Ltd$/),
      expect.stringMatching(/^folder \d+ "Review" of Typed Ltd$/),
      'document 847 "acme-invoice-nov-2025.pdf" exported from Q4 Invoices, 2 line items',
      'document failing: 5 failures in a row since 2025-11-15T09:01:12Z',
    ]),
  );
  const exported = received.find((w) => w.type === 'document.exported');
  expect(exported?.id).toMatch(/^msg_test_[0-9a-f]{32}$/);
});

it('refuses a request whose signature or bearer token does not check out, and handles nothing of it', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const before = received.length;
  const forged = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${BEARER}`,
      'webhook-id': 'msg_0123456789abcdef0123456789abcdef',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
      'x-recordengine-event': 'contact.created',
    },
    body: '{}',
  });
  expect(forged.status).toBe(401);
  const stranger = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer someone-else' }, body: '{}' });
  expect(stranger.status).toBe(401);
  expect(received).toHaveLength(before);
});

it("has types that openapi-typescript generates from the running service's document", async () => {
  const served = await fetch(`${t.url}/webhooks/openapi.json`);
  const generated = astToString(await openapiTS(await served.text()));
  const committed = readFileSync(new URL('../../examples/typed-receiver/webhooks.ts', import.meta.url), 'utf8');
  expect(committed.endsWith(generated)).toBe(true);
});
