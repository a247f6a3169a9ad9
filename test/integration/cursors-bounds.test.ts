import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createContact, deliveries } from '../helpers/webhooks.js';
import { TestWsClient } from '../helpers/ws-client.js';

type EventNode = { id: string; cursor: string; payload: { name?: string } };

let t: TestApp;
const clients: TestWsClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t.stop();
});

function client(): TestWsClient {
  const c = new TestWsClient(t.url, { token: t.token });
  clients.push(c);
  return c;
}

async function logAfter(after: string | null) {
  return t.gql<{ events: { edges: { cursor: string; node: EventNode }[] } }>(
    `query($after: String) { events(first: 500, after: $after) { edges { cursor node { id cursor payload } } } }`,
    { after },
  );
}

async function log(after: string | null = null): Promise<EventNode[]> {
  const res = await logAfter(after);
  expect(res.errors).toBeUndefined();
  return res.data!.events.edges.map((e) => e.node);
}

describe('cursors from the delivery log', () => {
  it('never pass an event that an older, still open transaction commits later', async () => {
    await t.ok(`mutation { configureWebhooks(input: { offlineMode: true, contact: { url: "http://127.0.0.1:9/hook", enabled: true } }) { offlineMode } }`);
    const older = new pg.Client({ connectionString: t.databaseUrl });
    await older.connect();
    try {
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      const later = await createContact(t, 'Later Contact');
      const [delivery] = (await deliveries(t, { channel: 'CONTACT', entityId: later })).edges.map((e) => e.node);
      const handedOut: string = delivery.event.cursor;
      // The older transaction writes an event that sorts before the later one, then commits.
      await older.query(`insert into events (type, channel, entity_id, payload) values ('contact.updated', 'CONTACT', 1, '{"name":"Older Event"}')`);
      await older.query('commit');

      expect((await log(handedOut)).map((e) => e.payload.name)).toEqual(expect.arrayContaining(['Older Event', 'Later Contact']));
      const c = client();
      const resumed = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(after: $after) { id payload } }`, { after: handedOut });
      await resumed.waitFor(2);
      expect(resumed.data.map((d) => d.events.payload.name)).toEqual(expect.arrayContaining(['Older Event']));
      resumed.stop();

      // Once readable, the delivery log gives the event's own cursor, the one the log gives.
      const [again] = (await deliveries(t, { channel: 'CONTACT', entityId: later })).edges.map((e) => e.node);
      const own = (await log()).find((e) => e.id === delivery.event.id)!;
      expect(again.event.cursor).toBe(own.cursor);
    } finally {
      await older.end();
      await t.ok(`mutation { configureWebhooks(input: { offlineMode: false, contact: { url: null } }) { offlineMode } }`);
    }
  });
});
