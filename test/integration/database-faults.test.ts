import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSqlPool } from '../../src/db/sql-pool.js';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { createLogger } from '../../src/logger.js';
import type { ChildProcess } from 'node:child_process';
import { CallbackRouter, messagesOf, type RouterSubscription } from '../helpers/callback-router.js';
import { createTestDatabase } from '../helpers/db.js';
import { startServiceProcess } from '../helpers/service-process.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { pointChannel } from '../helpers/webhooks.js';
import { TestWsClient, type TestSubscription } from '../helpers/ws-client.js';

/**
 * The faults between the service and its database, one after another on one service whose
 * every connection goes through a proxy of the test's own: a partition (bytes held, nothing
 * reset), backends terminated, a database refusing connections (55000), too many connections
 * (53300), a server starting up (57P03). Under each, four clients create contacts without a
 * pause; each fault prints the slowest answer, the codes seen, the time from its end to the
 * first answer with a result, and the ledger: every acknowledged change delivered, by webhook,
 * to a WebSocket subscriber and to a router's callback subscription, both subscribed throughout.
 */
const TIMEOUT_MS = 2_000;
/** The most an answer may take: a request waits on the database twice at most (its token, then its change), each bounded. */
const SLOWEST_ALLOWED_MS = 2 * TIMEOUT_MS + 750;
/** The most /readyz or /metrics may take under a fault. */
const PROBE_ALLOWED_MS = 1_500;
/** 503 answers to see under a fault before it ends. */
const UNAVAILABLE_ANSWERS = 6;
/** Changes acknowledged before a fault and after its end. */
const ACKNOWLEDGED = 8;

let db: { url: string; drop(): Promise<void> };
let proxy: TcpProxy;
let t: TestApp;
let receiver: TestReceiver;
let ws: TestWsClient;
let sub: TestSubscription<{ events: { id: string; cursor: string; type: string; payload: { id: number } } }>;
let router: CallbackRouter;
let callback: RouterSubscription;
const logLines: string[] = [];
const acknowledged: string[] = [];
const reports: Record<string, unknown>[] = [];

/** The admin database, for what the test's own database cannot do to itself. */
async function admin<T extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = inject('pgAdminUrl')): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const dbName = () => new URL(db.url).pathname.slice(1);
const terminateBackends = () => admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName()]);

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await startTcpProxy(db.url);
  receiver = await new TestReceiver().start();
  router = await new CallbackRouter().start();
  const log = createLogger('info', 'json', false, { write: (line: string) => void logLines.push(line) });
  // A delivery whose attempt could not be recorded is sent again when its lease runs out: short here.
  const env = { DATABASE_TIMEOUT: `${TIMEOUT_MS}ms`, WS_POLL_INTERVAL: '100ms', WEBHOOK_TIMEOUT: '1s', WEBHOOK_LEASE: '2s', SUBSCRIPTION_CALLBACK_URLS: router.prefix };
  t = await startTestApp(env, proxy.url, log);
  await pointChannel(t, 'contact', receiver.url);
  ws = new TestWsClient(t.url, { token: TEST_TOKEN });
  sub = ws.subscribe(`subscription { events(types: [CONTACT_CREATED]) { id cursor type payload } }`);
  ({ sub: callback } = await router.subscribe(t.url, TEST_TOKEN, `subscription { events(types: [CONTACT_CREATED]) { id type payload } }`));
});

afterAll(async () => {
  ws?.client.dispose();
  await t?.stop();
  await proxy?.close();
  await receiver?.stop();
  await router?.stop();
  await db?.drop();
  if (reports.length) console.table(reports);
});

type Answer = { status: number; ms: number; at: number; retryAfter: string | null; id?: string; codes: string[] };

async function createContact(): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({
      query: 'mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }',
      variables: { n: `Fault ${randomBytes(4).toString('hex')}` },
    }),
  });
  const body = (await res.json()) as { data?: { createContact?: { id: string } } | null; errors?: { extensions?: { code?: string } }[] };
  const id = body.data?.createContact?.id;
  if (id) acknowledged.push(id);
  return {
    status: res.status,
    ms: Math.round(performance.now() - started),
    at: performance.now(),
    retryAfter: res.headers.get('retry-after'),
    id,
    codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'none'),
  };
}

async function timed(path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${t.url}${path}`);
  await res.arrayBuffer();
  return { status: res.status, ms: Math.round(performance.now() - started) };
}

/**
 * Runs the load, starts the fault once changes are acknowledged, ends it once it has been
 * answered with 503 often enough (or, for a fault that heals by itself, at once), and stops the
 * load once changes are acknowledged again. Returns the report printed for the fault.
 */
async function underFault(name: string, fault: { start(): Promise<unknown>; end(): Promise<unknown>; unavailable: number }) {
  const answers: Answer[] = [];
  let phase: 'before' | 'fault' | 'after' = 'before';
  let faultAt = 0;
  let endedAt = 0;
  const after = () => answers.filter((a) => a.at > endedAt && a.id).length;
  const during = () => answers.filter((a) => a.at > faultAt && a.status === 503).length;
  let step: () => void = () => undefined;
  const load = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (phase !== 'after' || after() < ACKNOWLEDGED) {
        answers.push(await createContact());
        step();
      }
    }),
  );
  const reached = (holds: () => boolean) =>
    new Promise<void>((resolve) => {
      step = () => holds() && resolve();
      step();
    });
  await reached(() => answers.filter((a) => a.id).length >= ACKNOWLEDGED);
  phase = 'fault';
  faultAt = performance.now();
  await fault.start();
  await reached(() => during() >= fault.unavailable);
  const probes = { readyz: await timed('/readyz'), metrics: await timed('/metrics') };
  await fault.end();
  endedAt = performance.now();
  phase = 'after';
  await load;

  const firstResult = answers.find((a) => a.at > endedAt && a.id)!;
  const codes: Record<string, number> = {};
  for (const a of answers) for (const code of a.id ? ['OK'] : a.codes) codes[`${a.status} ${code}`] = (codes[`${a.status} ${code}`] ?? 0) + 1;
  const report = {
    fault: name,
    answers: answers.length,
    slowestMs: Math.max(...answers.map((a) => a.ms)),
    codes: Object.entries(codes).map(([code, n]) => `${code} ×${n}`).join(', '),
    recoveryMs: Math.round(firstResult.at - endedAt),
    readyzMs: probes.readyz.ms,
    metricsMs: probes.metrics.ms,
  };
  for (const a of answers) {
    if (a.id) expect(a).toMatchObject({ status: 200, codes: [] });
    else expect(a).toMatchObject({ status: 503, retryAfter: '2', codes: ['SERVICE_UNAVAILABLE'] });
  }
  expect(during()).toBeGreaterThanOrEqual(fault.unavailable);
  expect(report.slowestMs).toBeLessThanOrEqual(SLOWEST_ALLOWED_MS);
  if (fault.unavailable > 0) expect(probes.readyz.status).toBe(503);
  // The service waits 500 ms at most for either; the margin is for a machine that runs the
  // whole suite at once, whose event loop alone may lag by that much (the figures are printed).
  expect(probes.readyz.ms).toBeLessThan(PROBE_ALLOWED_MS);
  expect(probes.metrics).toMatchObject({ status: 200 });
  expect(probes.metrics.ms).toBeLessThan(PROBE_ALLOWED_MS);
  console.log(`database fault under way: ${JSON.stringify(report)}`);
  return { report, answers };
}

/** Every acknowledged change has its event, delivered by webhook and to the subscriber, which has every event of the log in order, once. */
async function ledger(report: Record<string, unknown>): Promise<void> {
  const created = (await admin<{ id: string }>(`select entity_id::text as id from events where type = 'contact.created' order by txid, seq`, [], db.url)).map((r) => r.id);
  const createdSet = new Set(created);
  for (const id of acknowledged) expect(createdSet.has(id)).toBe(true);
  const delivered = (requests: readonly { json: { id: number } }[]) => new Set(requests.map((r) => String(r.json.id)));
  await receiver.waitUntil((requests) => created.every((id) => delivered(requests).has(id)), 30_000, 'every created contact delivered');
  await sub.waitFor(created.length, 30_000);
  expect(sub.data.map((d) => String(d.events.payload.id))).toEqual(created);
  expect(sub.error).toBeUndefined();
  expect(sub.completed).toBe(false);
  await router.waitUntil(() => messagesOf(callback, 'next').length >= created.length, 'every event posted to the callback subscription', 30_000);
  expect(messagesOf(callback, 'next').map((m) => String(m.payload?.data?.events.payload.id))).toEqual(created);
  expect(messagesOf(callback, 'complete')).toEqual([]);
  const attempts = receiver.requests.length;
  const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
  const line = { ...report, acknowledged: acknowledged.length, events: created.length, webhooks: attempts, duplicateWebhooks: attempts - ids.size, subscriberEvents: sub.results.length, callbackEvents: messagesOf(callback, 'next').length };
  reports.push(line);
  console.log(`database fault: ${JSON.stringify(line)}`);
}

describe('faults between the service and its database', { timeout: 120_000 }, () => {
  it('a partition: every answer within the bound, 503 while it lasts, the service back at once after it, nothing lost', async () => {
    const { report } = await underFault('partition', {
      start: async () => proxy.partition(),
      end: async () => proxy.heal(),
      unavailable: UNAVAILABLE_ANSWERS,
    });
    await ledger(report);
  });

  it('backends terminated (57P01): answers with a result or 503, never 500', async () => {
    const { report } = await underFault('terminated backends (57P01)', { start: terminateBackends, end: async () => undefined, unavailable: 0 });
    await ledger(report);
  });

  it('a database that refuses new connections (55000): 503, and back when it accepts them', async () => {
    const { report } = await underFault('refused connections (55000)', {
      start: async () => {
        await admin(`alter database ${dbName()} allow_connections false`);
        await terminateBackends();
      },
      end: () => admin(`alter database ${dbName()} allow_connections true`),
      unavailable: UNAVAILABLE_ANSWERS,
    });
    await ledger(report);
  });

  for (const [code, message] of [
    ['53300', 'sorry, too many clients already'],
    ['57P03', 'the database system is starting up'],
  ] as const) {
    it(`a server that answers every new connection with ${code} (${message}): 503, and back when it accepts them`, async () => {
      const { report } = await underFault(`${message} (${code})`, {
        start: async () => {
          proxy.refuseNewConnections({ code, message });
          proxy.resetOpenConnections();
        },
        end: async () => proxy.refuseNewConnections(undefined),
        unavailable: UNAVAILABLE_ANSWERS,
      });
      await ledger(report);
    });
  }

  it('logs each outage of a background part once, and its end once; a warning is short, with no SQL and no connection string', () => {
    const lines = logLines.map((line) => ({ line, entry: JSON.parse(line) as { level: number; msg: string; part?: string; pool?: string } }));
    const warnings = lines.filter(({ entry }) => entry.level >= 40);
    expect(warnings.length).toBeGreaterThan(0);
    for (const { line } of warnings) {
      expect(line.length).toBeLessThan(4_096);
      expect(line).not.toMatch(/postgres(ql)?:\/\//);
      expect(line).not.toMatch(/\b(select|insert into|delete from|update \S+ set)\b/i);
    }
    // Five faults: a background part's outage line comes at most once for each.
    const outages = new Map<string, number>();
    for (const { entry } of lines) {
      const what = `${entry.part ?? entry.pool}: ${entry.msg}`;
      if (entry.msg.endsWith('the database cannot be used; retrying until it can')) outages.set(what, (outages.get(what) ?? 0) + 1);
    }
    expect(outages.size).toBeGreaterThan(0);
    console.log(`outage lines per part: ${JSON.stringify(Object.fromEntries(outages))}; longest warning: ${Math.max(...warnings.map(({ line }) => line.length))} characters`);
    for (const [what, count] of outages) expect({ what, count: count <= 5 }).toEqual({ what, count: true });
  });
});

describe('a database host name that does not resolve', () => {
  it('is an outage: the pool fails within the bound with an error that answers 503', async () => {
    const pool = createSqlPool('postgres://recordengine@database.invalid:5432/none', 1, createLogger('silent', 'json', false), 'recordengine', TIMEOUT_MS);
    try {
      const started = performance.now();
      const err = await pool.query('select 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 250);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe('stopping while the database cannot be reached', () => {
  const children = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('ends the process within SHUTDOWN_TIMEOUT on SIGTERM during a partition', { timeout: 60_000 }, async () => {
    const own = await createTestDatabase();
    const cut = await startTcpProxy(own.url);
    try {
      const shutdownTimeoutMs = 6 * TIMEOUT_MS;
      const service = await startServiceProcess(
        { DATABASE_URL: cut.url, DATABASE_TIMEOUT: `${TIMEOUT_MS}ms`, SHUTDOWN_TIMEOUT: `${shutdownTimeoutMs}ms`, WEBHOOK_POLL_INTERVAL: '100ms' },
        children,
      );
      const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
      cut.partition();
      const started = performance.now();
      service.child.kill('SIGTERM');
      const code = await exited;
      const stoppedMs = Math.round(performance.now() - started);
      console.log(`database fault: ${JSON.stringify({ fault: 'SIGTERM during a partition', stoppedMs, exitCode: code })}`);
      expect(stoppedMs).toBeLessThan(shutdownTimeoutMs + 1_000);
      expect(code).toBe(0);
    } finally {
      await cut.close();
      await own.drop();
    }
  });
});
