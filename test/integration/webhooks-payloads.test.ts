import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver, type ReceivedRequest } from '../helpers/receiver.js';
import { pointChannel, verifySignature } from '../helpers/webhooks.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/reference-payloads.json', import.meta.url), 'utf8')) as Record<string, object>;

let t: TestApp;
let contacts: TestReceiver;
let folders: TestReceiver;
let secret: string;

const seconds = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

function keysAndTypes(value: Record<string, unknown>) {
  return Object.entries(value).map(([k, v]) => `${k}:${v === null ? 'null' : typeof v}`);
}

/** The body is the stored event payload, verbatim: what `events` shows is what was signed and sent. */
async function expectLoggedAsSent(req: ReceivedRequest) {
  const { events } = await t.ok(`{ events(first: 500) { edges { node { id type payload } } } }`);
  const event = events.edges.map((e: { node: { id: string } }) => e.node).find((e: { id: string }) => e.id === req.headers['webhook-id']);
  expect(event.payload).toStrictEqual(req.json);
  expect(verifySignature(secret, req)).toStrictEqual(req.json);
}

beforeAll(async () => {
  t = await startTestApp();
  contacts = await new TestReceiver().start();
  folders = await new TestReceiver().start();
  await pointChannel(t, 'contact', contacts.url);
  secret = (await pointChannel(t, 'folder', folders.url, { bearerToken: 'tok' })).signingSecret;
});
afterAll(async () => {
  await contacts.stop();
  await folders.stop();
  await t.stop();
});

describe('payloads of real changes', () => {
  it('contact.created and contact.updated carry the contact shape of the reference', async () => {
    const { createContact: c } = await t.ok(
      `mutation { createContact(input: { name: "Acme Corporation", type: CLIENT, email: "accounts@acme.com", phone: "+86 21 5555 0100", notes: "Primary contact: James Chen" }) { id createdAt updatedAt } }`,
    );
    await contacts.waitFor(1);
    const created = contacts.requests[0]!;
    expect(created.headers['x-recordengine-event']).toBe('contact.created');
    expect(keysAndTypes(created.json)).toEqual(keysAndTypes(reference.contact as Record<string, unknown>));
    expect(created.json).toStrictEqual({
      id: Number(c.id),
      name: 'Acme Corporation',
      type: 'Client',
      email: 'accounts@acme.com',
      phone: '+86 21 5555 0100',
      notes: 'Primary contact: James Chen',
      created_at: seconds(c.createdAt),
      updated_at: seconds(c.updatedAt),
    });
    await expectLoggedAsSent(created);

    const { updateContact: u } = await t.ok(
      `mutation($id: ID!) { updateContact(id: $id, input: { type: PARTNER, phone: null, notes: "Now a partner" }) { updatedAt } }`,
      { id: c.id },
    );
    await contacts.waitFor(2);
    const updated = contacts.requests[1]!;
    expect(updated.headers['x-recordengine-event']).toBe('contact.updated');
    expect(updated.headers['webhook-id']).not.toBe(created.headers['webhook-id']);
    expect(updated.json).toStrictEqual({
      ...created.json,
      type: 'Partner',
      phone: null,
      notes: 'Now a partner',
      updated_at: seconds(u.updatedAt),
    });
    await expectLoggedAsSent(updated);
  });

  it('folder.created and folder.updated carry the folder shape of the reference', async () => {
    const { createContact: c } = await t.ok(`mutation { createContact(input: { name: "Globex", type: VENDOR }) { id } }`);
    const before = folders.requests.length;
    const { createFolder: f } = await t.ok(`mutation($c: ID!) { createFolder(input: { name: "Q4 Invoices", contactId: $c }) { id createdAt updatedAt } }`, {
      c: c.id,
    });
    // createContact makes two folders of its own (Documents, Review) before this one.
    await folders.waitFor(before + 3);
    const created = folders.requests.find((r) => r.json.id === Number(f.id))!;
    expect(created.headers['x-recordengine-event']).toBe('folder.created');
    expect(created.headers.authorization).toBe('Bearer tok');
    expect(keysAndTypes(created.json)).toEqual(keysAndTypes(reference.folder as Record<string, unknown>));
    expect(created.json).toStrictEqual({
      id: Number(f.id),
      name: 'Q4 Invoices',
      contact_id: Number(c.id),
      contact_name: 'Globex',
      created_at: seconds(f.createdAt),
      updated_at: seconds(f.updatedAt),
    });
    await expectLoggedAsSent(created);
    // Different folders are different entities: their deliveries may overtake each other.
    expect(folders.requests.slice(before, before + 3).map((r) => r.json.name).sort()).toEqual(['Documents', 'Q4 Invoices', 'Review']);

    const { updateFolder: u } = await t.ok(`mutation($id: ID!) { updateFolder(id: $id, input: { name: "Q4 Invoices (paid)" }) { updatedAt } }`, { id: f.id });
    await folders.waitFor(before + 4);
    const updated = folders.requests[before + 3]!;
    expect(updated.headers['x-recordengine-event']).toBe('folder.updated');
    expect(updated.json).toStrictEqual({ ...created.json, name: 'Q4 Invoices (paid)', updated_at: seconds(u.updatedAt) });
    await expectLoggedAsSent(updated);
  });
});
