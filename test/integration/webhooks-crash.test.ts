import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/orm-config.js';
import { recordEvent } from '../../src/outbox/record-event.js';
import { TEST_TOKEN } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { TestReceiver } from '../helpers/receiver.js';
import { closedPort, sql } from '../helpers/webhooks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS = 300;
/** Kill the service once this many requests have reached the receiver: well into the run, with more to come. */
const KILL_AFTER = 100;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: MikroORM;
let receiver: TestReceiver;
let port: number;
const children = new Set<ChildProcess>();

/** The service as it is deployed: its own process, configured by its environment only. */
async function startService(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      PORT: String(port),
      API_TOKEN: TEST_TOKEN,
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT: '2s',
      // A claim of the killed instance runs out 3 s after it was made; then the new one takes it over.
      WEBHOOK_LEASE: '3s',
      WEBHOOK_POLL_INTERVAL: '200ms',
      WEBHOOK_RETRY_SCHEDULE: '200ms,1s',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"service started"')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before it started:\n${stderr}${out}`)));
  });
  return child;
}

async function gql(query: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await MikroORM.init(ormConfig(db.url, 2));
  receiver = await new TestReceiver().start();
  // Slow enough that many deliveries are in flight at any moment.
  receiver.fallback = { status: 200, delayMs: 50 };
  port = await closedPort();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await receiver.stop();
  await orm.close(true);
  await db.drop();
});

describe('a service killed while delivering', () => {
  it('delivers every committed event at least once after a restart; duplicates only of attempts in flight at the kill', { timeout: 90_000 }, async () => {
    const first = await startService();
    // Held by offline mode while they are committed, so that the kill comes well inside the run.
    await gql(`mutation { configureWebhooks(input: { contact: { url: "${receiver.url}" }, offlineMode: true }) { offlineMode } }`);

    // One event per contact, so that nothing waits on another's order and many are in flight at once.
    for (let from = 0; from < EVENTS; from += 50) {
      await orm.em.fork().transactional(async (tx) => {
        for (let i = from; i < from + 50; i++) {
          await recordEvent(tx, { type: 'contact.updated', entityId: i + 1, payload: { id: i + 1, name: `Contact ${i + 1}` } }, 10_000);
        }
      });
    }
    const committed = (await sql<{ id: string }>(db.url, 'select id from events')).map((r) => r.id);
    expect(committed).toHaveLength(EVENTS);
    await gql(`mutation { configureWebhooks(input: { offlineMode: false }) { offlineMode } }`);

    await receiver.waitFor(KILL_AFTER, 30_000);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const receivedBeforeKill = receiver.requests.length;
    // What the dead instance had claimed and not recorded: only these may arrive twice.
    const inFlight = new Set(
      (
        await sql<{ id: string }>(
          db.url,
          `select e.id from webhook_deliveries d join events e on e.seq = d.event_seq where d.status = 'PENDING' and d.leased_by is not null`,
        )
      ).map((r) => r.id),
    );
    expect(receivedBeforeKill).toBeLessThan(EVENTS);
    expect(inFlight.size).toBeGreaterThan(0);

    const second = await startService();
    const uniqueIds = (requests: readonly { headers: Record<string, unknown> }[]) => new Set(requests.map((r) => String(r.headers['webhook-id'])));
    // Every event, and again every claim the dead instance left: it may have reached the
    // receiver before the kill, but only the new instance's attempt is recorded.
    await receiver.waitUntil(
      (requests) => uniqueIds(requests).size === EVENTS && [...inFlight].every((id) => uniqueIds(requests.slice(receivedBeforeKill)).has(id)),
      30_000,
      `all ${EVENTS} events, and the ${inFlight.size} claims of the killed instance again`,
    );
    second.kill('SIGTERM');
    await once(second, 'exit');

    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids)).toEqual(new Set(committed));
    const states = await sql<{ status: string; n: number }>(db.url, `select status, count(*)::int as n from webhook_deliveries group by status`);
    expect(states).toEqual([{ status: 'SUCCEEDED', n: EVENTS }]);

    // Every recorded attempt reached the receiver once; a request more than those is an attempt the kill cut short.
    const recorded = new Map(
      (
        await sql<{ id: string; n: number }>(
          db.url,
          `select e.id, count(a.id)::int as n from events e join webhook_deliveries d on d.event_seq = e.seq join webhook_attempts a on a.delivery_id = d.id group by e.id`,
        )
      ).map((r) => [r.id, r.n]),
    );
    const requests = new Map<string, number>();
    for (const id of ids) requests.set(id, (requests.get(id) ?? 0) + 1);
    const cutShort = [...requests].filter(([id, n]) => n > (recorded.get(id) ?? 0)).map(([id]) => id);
    for (const id of cutShort) {
      expect(requests.get(id)! - recorded.get(id)!).toBe(1);
      expect(inFlight.has(id)).toBe(true);
      expect(ids.indexOf(id)).toBeLessThan(receivedBeforeKill);
    }
    const duplicates = ids.length - requests.size;
    const retried = duplicates - cutShort.length;
    console.log(
      `crash test: ${EVENTS} events committed; killed after ${receivedBeforeKill} requests with ${inFlight.size} deliveries claimed and unrecorded; ` +
        `${ids.length} requests in all: ${duplicates} duplicates, ${cutShort.length} of attempts in flight at the kill` +
        (retried ? `, ${retried} of attempts that failed (a slow answer) and were retried` : ''),
    );
  });
});
