import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Broadcaster, READ_PACE_MS, type LogItem } from '../../src/bridge/broadcaster.js';
import { poolSql, type Sql } from '../../src/db/sql.js';
import type { EventRow } from '../../src/outbox/event-log.js';
import { toPos } from '../../src/outbox/position.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
});
afterAll(async () => {
  await t.stop();
});

/** The pool's statements, with when each read of the log started. */
function timedSql(inner: Sql, starts: number[]): Sql {
  return {
    rows(statement, values) {
      if (/from events/.test(statement.text)) starts.push(performance.now());
      return inner.rows(statement, values);
    },
  };
}

it('reads the log at most once per READ_PACE_MS however often it is woken, and publishes every event', async () => {
  const starts: number[] = [];
  const toItem = (row: EventRow): LogItem => ({ position: toPos(row), value: row });
  const broadcaster = new Broadcaster(timedSql(poolSql(t.app.database.sql), starts), toItem, { pollIntervalMs: 3_600_000 }, pino({ level: 'silent' }));
  const published: string[] = [];
  const attached = () => {
    const queue = broadcaster.fanout.attach({ accept: () => true, limit: 10_000, onOverflow: () => undefined });
    void (async () => {
      for await (const item of queue) published.push(item.value.seq);
    })();
  };
  const writer = new pg.Client({ connectionString: t.databaseUrl });
  await writer.connect();
  await broadcaster.start();
  attached();
  starts.length = 0;
  try {
    // Changes written one after another while the broadcaster is woken on every turn of the
    // event loop for 100 ms: far more often than it may read.
    const written: string[] = [];
    let wakes = 0;
    let waking = true;
    const writing = (async () => {
      while (waking) {
        const { rows } = await writer.query<{ seq: string }>(
          `insert into events (type, channel, entity_id, payload) values ('contact.updated', 'CONTACT', 1, '{}') returning seq::text`,
        );
        written.push(rows[0]!.seq);
      }
    })();
    const until = performance.now() + 100;
    while (performance.now() < until) {
      broadcaster.wake();
      wakes++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    waking = false;
    await writing;
    broadcaster.wake();
    await expect.poll(() => published.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(written.length);
    expect(published).toEqual(expect.arrayContaining(written));
    // Timers fire on whole milliseconds: a start may come up to one early.
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(READ_PACE_MS - 1);
    expect(starts.length).toBeLessThan(wakes);
  } finally {
    await writer.end();
    await broadcaster.stop();
  }
});
