import { once } from 'node:events';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestWsClient } from '../helpers/ws-client.js';
import { NOTIFY } from '../../src/db/notify-channels.js';

let t: TestApp;
const clients: TestWsClient[] = [];
const apps: TestApp[] = [];

type EventNode = { id: string; cursor: string; type: string };

function client(url = t.url): TestWsClient {
  const c = new TestWsClient(url, { token: t.token, retry: true });
  clients.push(c);
  return c;
}

async function otherInstance(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp(env, t.databaseUrl);
  apps.push(app);
  return app;
}

async function logAfter(cursor: string | null): Promise<EventNode[]> {
  const nodes: EventNode[] = [];
  for (let after = cursor; ; ) {
    const { events } = await t.ok(`query($after: String) { events(first: 500, after: $after) { edges { node { id cursor type } } pageInfo { hasNextPage endCursor } } }`, { after });
    nodes.push(...events.edges.map((e: { node: EventNode }) => e.node));
    if (!events.pageInfo.hasNextPage) return nodes;
    after = events.pageInfo.endCursor;
  }
}

async function lastCursor(): Promise<string> {
  return (await logAfter(null)).at(-1)!.cursor;
}

/** Subscribes to every event after `after`, resuming from the last one received whenever it reconnects. */
function follow(c: TestWsClient, after: string | null, fields = 'id cursor type') {
  return c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(after: $after) { ${fields} } }`, { after }, (data) => ({ after: data.events.cursor }));
}

beforeAll(async () => {
  t = await startTestApp();
  await t.ok(`mutation { createContact(input: { name: "Resume Co", type: CLIENT }) { id } }`);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await t.stop();
});

describe('resuming', () => {
  it('after a forced disconnect while events keep coming: no gap, no duplicate', async () => {
    const start = await lastCursor();
    const { contacts } = await t.ok(`{ contacts(first: 1) { edges { node { id } } } }`);
    const contactId = contacts.edges[0].node.id;
    const c = client();
    const sub = follow(c, start);
    const producing = (async () => {
      for (let i = 1; i <= 40; i++) await t.ok(`mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { name: $n }) { id } }`, { id: contactId, n: `Resume ${i}` });
    })();
    await sub.waitFor(10);
    c.socket!.terminate();
    await sub.waitFor(20);
    c.socket!.terminate();
    await producing;
    const logged = await logAfter(start);
    expect(logged).toHaveLength(40);
    await sub.waitFor(40);
    expect(c.closes.map((close) => close.code)).toEqual([1006, 1006]);
    expect(sub.data.map((d) => d.events)).toEqual(logged);
  });

  it('from an old cursor on an instance started later (read from the database, not from memory)', async () => {
    const start = await lastCursor();
    for (let i = 0; i < 3; i++) await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: OTHER }) { id } }`, { n: `Old ${i}` });
    const late = await otherInstance();
    const c = client(late.url);
    const folders = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(types: [FOLDER_CREATED], after: $after) { id cursor type } }`, { after: start });
    const all = follow(c, start);
    await late.app.broadcaster.fanout.whenAttached(2);
    await t.ok(`mutation { createContact(input: { name: "New", type: OTHER }) { id } }`);
    const logged = await logAfter(start);
    expect(logged).toHaveLength(12);
    await all.waitFor(12);
    await folders.waitFor(8);
    expect(all.data.map((d) => d.events)).toEqual(logged);
    expect(folders.data.map((d) => d.events)).toEqual(logged.filter((e) => e.type === 'FOLDER_CREATED'));
  });
});

describe('several instances', () => {
  it('streams an event committed through one instance to the subscribers of another', async () => {
    const b = await otherInstance();
    const onB = client(b.url).subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
    const onA = client().subscribe<{ contactChanged: { name: string } }>(`subscription { contactChanged { name } }`);
    await Promise.all([b.app.broadcaster.fanout.whenAttached(1), t.app.broadcaster.fanout.whenAttached(1)]);
    await t.ok(`mutation { createContact(input: { name: "Through A", type: CLIENT }) { id } }`);
    await b.ok(`mutation { createContact(input: { name: "Through B", type: CLIENT }) { id } }`);
    await Promise.all([onA.waitFor(2), onB.waitFor(2)]);
    expect(onB.data).toEqual([{ contactChanged: { name: 'Through A' } }, { contactChanged: { name: 'Through B' } }]);
    expect(onA.data).toEqual(onB.data);
  });
});

describe('a slow subscriber', () => {
  it('is closed with 1013 without slowing anyone, and resumes from its cursor', async () => {
    const buffer = 20;
    const instance = await otherInstance({ WS_SUBSCRIBER_BUFFER: String(buffer) });
    const start = await lastCursor();
    const slowClient = client(instance.url);
    const slow = follow(slowClient, start, 'id cursor type payload');
    const fast = follow(client(instance.url), start, 'id cursor type payload');
    await instance.app.broadcaster.fanout.whenAttached(2);

    // The slow one stops reading. A burst of large events fills the socket buffers on both
    // sides and leaves it far more than its buffer behind; the next event cuts it off.
    slowClient.socket!.pause();
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const insert = (count: number, size: number) =>
      db.query(
        `with e as (insert into events (type, channel, entity_id, payload)
           select 'contact.updated', 'CONTACT', 1, json_build_object('id', 1, 'name', 'Bulk ' || n, 'notes', repeat('x', $2::int))
           from generate_series(1, $1::int) n returning seq)
         select pg_notify('${NOTIFY.events}', max(seq)::text) from e`,
        [count, size],
      );
    try {
      const burst = 300;
      await insert(burst, 64 * 1024);
      // A burst bigger than the buffer does not cut off a subscriber that keeps up.
      await fast.waitFor(burst, 20_000);
      const overflowed = once(instance.app.broadcaster.fanout, 'overflow');
      await insert(1, 10);
      await overflowed;
      expect(instance.app.broadcaster.fanout.size).toBe(1);
    } finally {
      await db.end();
    }
    await fast.waitFor(301);
    expect(slow.results.length).toBeLessThan(301);

    slowClient.socket!.resume();
    const close = await slowClient.closed();
    expect(close).toEqual({ code: 1013, reason: expect.stringContaining(`over ${buffer} events behind`) });
    await slow.waitFor(301, 20_000);
    const logged = await logAfter(start);
    expect(logged).toHaveLength(301);
    expect(slow.data.map((d) => d.events.id)).toEqual(logged.map((e) => e.id));
    expect(fast.data.map((d) => d.events.id)).toEqual(logged.map((e) => e.id));
  });
});
