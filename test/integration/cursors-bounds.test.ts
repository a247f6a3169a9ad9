import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broadcaster } from '../../src/bridge/broadcaster.js';
import { CursorExpiredError } from '../../src/errors.js';
import { decodeCursor, encodeCursor } from '../../src/outbox/event-log.js';
import type { ContextFactory } from '../../src/graphql/context-factory.js';
import { compare, toPos } from '../../src/outbox/position.js';
import { EVENT_SELECTIONS } from '../../src/subscriptions/event-selections.js';
import { subscriptionStreams } from '../../src/subscriptions/streams.js';
import { PublishedEvent } from '../../src/subscriptions/published.js';
import { purgeExpired } from '../../src/webhooks/purge.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, deliveries, sql } from '../helpers/webhooks.js';
import { TestWsClient } from '../helpers/ws-client.js';
import { poolSql } from '../../src/db/sql.js';

type EventNode = { id: string; cursor: string; payload: { name?: string } };

const RETENTION_MS = 30 * 24 * 3_600_000;

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

/** Events written straight into the log: many of them, cheaply, for paging. */
async function insertEvents(count: number, name: string) {
  await sql(
    t.databaseUrl,
    `insert into events (type, channel, entity_id, payload)
     select 'contact.updated', 'CONTACT', 1, json_build_object('name', $1::text || n) from generate_series(1, $2::int) n`,
    [name, count],
  );
}

/** The cursor of the newest event in the log, written first so that there is one. */
async function newestCursor(): Promise<string> {
  await insertEvents(1, 'Start ');
  const [newest] = await sql<{ txid: string; seq: string }>(t.databaseUrl, `select txid::text, seq::text from events order by txid desc, seq desc limit 1`);
  return encodeCursor(newest!);
}

/** Moves events into the past, beyond the retention period: what no API does. */
async function age(ids: string[]) {
  await sql(t.databaseUrl, `update events set occurred_at = now() - interval '40 days' where id = any($1)`, [ids]);
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

  it('as webhookDeliveryUpdated streams them, never pass an event that an older transaction commits later', async () => {
    const receiver = await new TestReceiver().start();
    const older = new pg.Client({ connectionString: t.databaseUrl });
    await older.connect();
    try {
      await t.ok(`mutation($u: String) { configureWebhooks(input: { contact: { url: $u, enabled: true } }) { offlineMode } }`, { u: receiver.url });
      const c = client();
      const updates = c.subscribe<{ webhookDeliveryUpdated: { delivery: { event: EventNode } } }>(
        `subscription { webhookDeliveryUpdated(channel: CONTACT) { delivery { event { id cursor payload } } } }`,
      );
      await t.app.deliveryFeed.fanout.whenAttached(1);
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      await createContact(t, 'Attempted Later');
      await updates.waitFor(1);
      const streamed = updates.data[0]!.webhookDeliveryUpdated.delivery.event;
      expect(streamed.payload.name).toBe('Attempted Later');
      await older.query(`insert into events (type, channel, entity_id, payload) values ('contact.updated', 'CONTACT', 1, '{"name":"Older Than The Attempt"}')`);
      await older.query('commit');
      expect((await log(streamed.cursor)).map((e) => e.payload.name)).toEqual(expect.arrayContaining(['Older Than The Attempt', 'Attempted Later']));
      updates.stop();
    } finally {
      await older.end();
      await t.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { offlineMode } }`);
      await receiver.stop();
    }
  });
});

describe('a cursor older than what retention keeps', () => {
  it('is refused with CURSOR_EXPIRED and the oldest cursor, over HTTP, over WebSocket and by replay; one at that cursor reads on', async () => {
    const first = (await log()).length;
    await insertEvents(4, 'Kept For Now ');
    const events = (await log()).slice(first);
    expect(events).toHaveLength(4);
    const [e1, e2, e3, e4] = events as [EventNode, EventNode, EventNode, EventNode];
    await age([e1.id, e2.id, e3.id]);
    expect(await purgeExpired(t.app.database.orm.em.fork(), RETENTION_MS)).toBeGreaterThanOrEqual(3);

    for (const expired of [e1.cursor, e2.cursor]) {
      const res = await logAfter(expired);
      expect(res.errors?.[0]).toMatchObject({
        message: expect.stringContaining(JSON.stringify(expired)),
        extensions: { code: 'CURSOR_EXPIRED', field: 'after', value: expired, oldestCursor: e3.cursor },
      });
    }
    expect((await log(e3.cursor)).map((e) => e.id)).toEqual([e4.id]);

    const c = client();
    const refused = c.subscribe(`subscription($after: String) { events(after: $after) { id } }`, { after: e1.cursor });
    await refused.end();
    expect(refused.results).toHaveLength(1);
    expect(refused.results[0]!.errors![0]).toMatchObject({ extensions: { code: 'CURSOR_EXPIRED', value: e1.cursor, oldestCursor: e3.cursor } });
    const reading = c.subscribe<{ events: EventNode }>(`subscription($after: String) { events(after: $after) { id } }`, { after: e3.cursor });
    await reading.waitFor(1);
    expect(reading.data[0]!.events.id).toBe(e4.id);
    reading.stop();

    const replay = await t.gql(`mutation($after: String!) { replayWebhooks(input: { channel: CONTACT, afterCursor: $after, dryRun: true }) { count } }`, {
      after: e2.cursor,
    });
    expect(replay.errors?.[0]).toMatchObject({ extensions: { code: 'CURSOR_EXPIRED', field: 'afterCursor', value: e2.cursor, oldestCursor: e3.cursor } });
  });

  it('ends a subscription that the purge overtakes while it catches up, with CURSOR_EXPIRED instead of a gap', async () => {
    const orm = t.app.database.orm;
    const start = await newestCursor();
    await insertEvents(150, 'Catching Up ');
    const created = await log(start);
    expect(created).toHaveLength(150);
    // A broadcaster started after the events exist keeps none of them: the stream pages through the log.
    const renders: ContextFactory = () => {
      throw new Error('no event is rendered here');
    };
    // In manual mode, and never stepped: it reads nothing itself.
    const broadcaster = new Broadcaster(poolSql(t.app.database.sql), (row) => new PublishedEvent(row, renders), { pollIntervalMs: 3_600_000 }, pino({ level: 'silent' }));
    await broadcaster.manual();
    try {
      const streams = subscriptionStreams({ orm, sql: poolSql(t.app.database.sql), broadcaster, deliveryFeed: t.app.deliveryFeed, makeContext: renders, bufferSize: 1_000 }, () => undefined);
      const stream = await streams.events({ selection: EVENT_SELECTIONS.events({}), after: start });
      for (let i = 0; i < 100; i++) expect((await stream.next()).done).toBe(false);
      // The next page would begin with these twenty; the purge takes them first.
      await age(created.slice(100, 120).map((e) => e.id));
      await purgeExpired(orm.em.fork(), RETENTION_MS);
      const next = await stream.next();
      expect(next.value).toBeInstanceOf(CursorExpiredError);
      expect((next.value as CursorExpiredError).details).toMatchObject({ oldestCursor: created[119]!.cursor });
      expect((await stream.next()).done).toBe(true);
    } finally {
      await broadcaster.stop();
    }
  });

  it('over WebSocket: a subscription whose catch-up read the purge overtakes gets CURSOR_EXPIRED as its last result', async () => {
    const orm = t.app.database.orm;
    const start = await newestCursor();
    // More than the broadcaster keeps in memory, so that the subscription reads the log itself.
    await insertEvents(300, 'Overtaken ');
    const created = await log(start);
    expect(created).toHaveLength(300);
    const last = toPos(decodeCursor(created.at(-1)!.cursor));
    const deadline = Date.now() + 20_000;
    while (compare(t.app.broadcaster.position, last) < 0) {
      if (Date.now() > deadline) throw new Error('the broadcaster did not read the inserted events');
      t.app.broadcaster.wake();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // The purge's transaction holds the log: the subscription's first read (the only one with
    // a type filter) waits for it, past its check at subscribe, and then sees the purge.
    const purge = orm.em.fork();
    await purge.begin();
    try {
      await purge.execute('lock table events in access exclusive mode');
      const c = client();
      const sub = c.subscribe(`subscription($after: String) { events(types: [CONTACT_UPDATED], after: $after) { id } }`, { after: start });
      const waitDeadline = Date.now() + 20_000;
      for (;;) {
        const waiting = await sql(
          t.databaseUrl,
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%e.type = any(%'`,
        );
        if (waiting.length) break;
        if (Date.now() > waitDeadline) throw new Error('the subscription never read the log');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await purge.execute(`update events set occurred_at = now() - interval '40 days' where id in (select jsonb_array_elements_text(?::jsonb))`, [
        JSON.stringify(created.slice(0, 20).map((e) => e.id)),
      ]);
      expect(await purgeExpired(purge, RETENTION_MS)).toBe(20);
      await purge.commit();
      await sub.waitFor(1);
      expect(sub.results[0]!.errors?.[0]).toMatchObject({ extensions: { code: 'CURSOR_EXPIRED', value: start, oldestCursor: created[19]!.cursor } });
      await sub.end();
      expect(sub.completed).toBe(true);
      expect(sub.results).toHaveLength(1);
    } finally {
      if (purge.isInTransaction()) await purge.rollback();
    }
  });
});
