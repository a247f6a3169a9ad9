import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db.js';
import { TestReceiver } from '../helpers/receiver.js';
import { serviceGql, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { sql } from '../helpers/webhooks.js';

/** createContact mutations in all, each one contact.created event of its own contact. */
const MUTATIONS = 300;
/** Clients sending mutations at once: some of them are in flight when the service is killed. */
const CLIENTS = 8;
/** Kill the service once this many requests have reached the receiver: well into the run, with more to come. */
const KILL_AFTER = 100;
/**
 * Requests the receiver holds unanswered before the kill. The last of them is certainly in
 * flight when the kill comes (the others too, unless a slow machine let WEBHOOK_TIMEOUT pass).
 */
const HELD = 5;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: TestReceiver;
const children = new Set<ChildProcess>();

/** The service in its own process, with a short lease and poll so that the restart takes over quickly. */
function startService(): Promise<ServiceProcess> {
  return startServiceProcess(
    {
      DATABASE_URL: db.url,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT: '2s',
      // A claim of the killed instance runs out 3 s after it was last renewed; then the new one takes it over.
      WEBHOOK_LEASE: '3s',
      WEBHOOK_POLL_INTERVAL: '200ms',
      WEBHOOK_RETRY_SCHEDULE: '200ms,1s',
    },
    children,
  );
}

/**
 * Clients sending createContact until `total` have been sent, CLIENTS at a time, as an API
 * user would. What the service answered is acknowledged; a request that the kill cut off
 * (`killed()` says so) stops its client, and any other failure fails the test.
 */
async function produce(service: ServiceProcess, sent: { count: number }, total: number, acknowledged: Map<number, string>, killed = () => false) {
  const client = async () => {
    while (sent.count < total) {
      const name = `Contact ${++sent.count}`;
      try {
        const { createContact } = await serviceGql(service, 'mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }', { n: name });
        acknowledged.set(Number(createContact.id), name);
      } catch (err) {
        if (killed()) return;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
}

/** Every contact.created event of the log, through the API, oldest first. */
async function loggedEvents(service: ServiceProcess): Promise<{ id: string; payload: { id: number; name: string } }[]> {
  const events = [];
  let after: string | null = null;
  for (;;) {
    const { events: page }: any = await serviceGql(
      service,
      'query($after: String) { events(types: [CONTACT_CREATED], after: $after, first: 500) { edges { node { id payload } } pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    events.push(...page.edges.map((e: { node: { id: string; payload: { id: number; name: string } } }) => e.node));
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await new TestReceiver().start();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await receiver.stop();
  await db.drop();
});

describe('a service killed while mutations and deliveries are under way', () => {
  it('delivers the event of every acknowledged mutation at least once after a restart, with the same webhook-id; duplicates only of attempts in flight at the kill', { timeout: 360_000 }, async () => {
    // Slow enough that many deliveries are in flight at any moment.
    receiver.fallback = { status: 200, delayMs: 20 };
    const first = await startService();
    await serviceGql(first, `mutation { configureWebhooks(input: { contact: { url: "${receiver.url}" } }) { offlineMode } }`);

    const acknowledged = new Map<number, string>();
    const sent = { count: 0 };
    let killed = false;
    const producing = produce(first, sent, MUTATIONS, acknowledged, () => killed);

    await Promise.race([receiver.waitFor(KILL_AFTER, 120_000), producing]);
    // From here the receiver answers nothing until the kill: the next HELD requests are attempts under way when it comes.
    let answerAfterKill!: () => void;
    receiver.fallback = { status: 200, until: new Promise<void>((resolve) => (answerAfterKill = resolve)) };
    await Promise.race([receiver.waitFor(receiver.requests.length + HELD, 120_000), producing]);
    expect(sent.count).toBeLessThan(MUTATIONS);
    const lastHeld = String(receiver.requests.at(-1)!.headers['webhook-id']);
    killed = true;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    await producing;
    answerAfterKill();
    receiver.fallback = { status: 200 };
    const receivedBeforeKill = receiver.requests.length;
    const acknowledgedBeforeKill = acknowledged.size;
    // What the dead instance had claimed and not recorded: only these may arrive twice.
    const inFlight = new Set(
      (
        await sql<{ id: string }>(
          db.url,
          `select e.id from webhook_deliveries d join events e on e.seq = d.event_seq where d.status = 'PENDING' and d.leased_by is not null`,
        )
      ).map((r) => r.id),
    );
    expect([...inFlight]).toContain(lastHeld);

    // The restarted service takes the rest of the mutations and delivers what the dead one left.
    const second = await startService();
    await produce(second, sent, MUTATIONS, acknowledged);
    const logged = await loggedEvents(second);
    const loggedIds = new Set(logged.map((e) => e.id));
    const uniqueIds = (requests: readonly { headers: Record<string, unknown> }[]) => new Set(requests.map((r) => String(r.headers['webhook-id'])));
    // Every logged event, and again every claim the dead instance left: it may have reached the
    // receiver before the kill, but only the new instance's attempt is recorded.
    await receiver.waitUntil(
      (requests) => uniqueIds(requests).size >= loggedIds.size && [...inFlight].every((id) => uniqueIds(requests.slice(receivedBeforeKill)).has(id)),
      120_000,
      `all ${loggedIds.size} events, and the ${inFlight.size} claims of the killed instance again`,
    );
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');

    // Every acknowledged mutation committed its event; the log holds no other event than
    // those of mutations sent (at most the CLIENTS cut off by the kill committed unanswered).
    const loggedContacts = new Map(logged.map((e) => [e.payload.id, e.payload.name]));
    for (const [id, name] of acknowledged) expect(loggedContacts.get(id)).toBe(name);
    expect(logged.length - acknowledged.size).toBeLessThanOrEqual(CLIENTS);
    expect(acknowledged.size).toBeGreaterThanOrEqual(MUTATIONS - CLIENTS);

    // The receiver got exactly the logged events, each always with the same body.
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids)).toEqual(loggedIds);
    const bodies = new Map<string, string>();
    for (const r of receiver.requests) {
      const id = String(r.headers['webhook-id']);
      expect(r.body).toBe(bodies.get(id) ?? r.body);
      bodies.set(id, r.body);
    }
    const states = await sql<{ status: string; n: number }>(db.url, `select status, count(*)::int as n from webhook_deliveries group by status`);
    expect(states).toEqual([{ status: 'SUCCEEDED', n: logged.length }]);

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
      `crash test: ${sent.count} mutations sent, ${acknowledged.size} acknowledged (${acknowledgedBeforeKill} before the kill), ${logged.length} events logged; ` +
        `killed after ${receivedBeforeKill} requests with ${inFlight.size} deliveries claimed and unrecorded; ` +
        `${ids.length} requests in all: ${duplicates} duplicates, ${cutShort.length} of attempts in flight at the kill` +
        (retried ? `, ${retried} of attempts that failed (a slow answer) and were retried` : ''),
    );
  });
});
