import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import WebSocket from 'ws';
import { removeEmbeddedPostgresData, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { APPEND_ONE_EVENT } from '../src/outbox/append-events.js';
import { EventHints } from '../src/outbox/event-hints.js';
import { benchArgs } from './lib/args.js';
import { ROOT, freePort, startNode, waitForOk, type NodeChild } from './lib/children.js';
import { formatProfile, summarizeProfile } from './lib/cpu-profile.js';
import { createBenchDatabase, openPostgresServer, type PostgresServer } from './lib/database.js';
import { Fleet, until } from './lib/fleet.js';
import { openLoop } from './lib/load.js';
import { machine } from './lib/machine.js';
import { figure, printResult, progress, table, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, PROFILE_DIR } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * GraphQL subscriptions: commit → subscriber latency at 20 document-sized events per second
 * to 100 and to 1,000 subscribers (one WebSocket each), and the server memory each idle
 * subscriber costs; the service against a bare graphql-ws server fed by an in-memory emitter
 * (bench/servers/bare-graphql-ws.ts) with the same subscribers in the same run.
 *
 * Three processes besides PostgreSQL: the server under test, the subscribers
 * (bench/servers/subscriber-fleet.ts) and this one, the producer. Latency runs from the
 * moment the event is there to be sent to the moment a subscriber's socket delivered the
 * message, both on the clock performance.timeOrigin + performance.now(): for the service,
 * when the INSERT (in a transaction of its own) has returned, that is, committed; for the
 * bare server, when the emit request is issued. Taking the time when the emit request
 * returned would hide a bare server's backlog: it answers only once it gets to it.
 *
 *   npm run bench:subscriptions               every figure the median of 3 runs
 *   npm run bench:subscriptions -- --runs 5 --json bench/results/subscriptions.json
 *   npm run bench:subscriptions -- --quick    one short run: does it still work?
 *   BENCH_POSTGRES=embedded npm run bench:subscriptions    on a PostgreSQL of its own
 */
const RATE = 20;
const SIZES = [100, 1000] as const;
const QUERY = 'subscription { events { id cursor type occurredAt payload } }';
const DEFAULT_JSON = path.join(ROOT, 'bench/results/subscriptions.json');

const args = benchArgs();
const W = args.quick ? { warmupMs: 1000, measureMs: 3000 } : { warmupMs: 2000, measureMs: 15_000 };
const clock = () => performance.timeOrigin + performance.now();

/** A document.exported body of the reference's shape, about 2 KB. */
function documentPayload(id: number): Record<string, unknown> {
  return {
    id,
    filename: `acme-invoice-${id}.pdf`,
    original_filename: 'Acme Invoice November 2025.pdf',
    status: 'Export',
    source: 'Email',
    doc_type: 'Invoice',
    doc_date: '2025-11-15',
    contact_id: 1042,
    contact_name: 'Acme Corporation',
    folder_id: 2210,
    folder_name: 'Documents',
    ai_summary:
      'Invoice INV-2025-1147 from Acme Corporation for consulting and support services in November 2025, net 30, total USD 18,500.00 including tax. Purchase order PO-88213 is referenced on the first page; bank details match the vendor record.',
    confidence_score: 87,
    confidence_label: 'Good',
    confidence_reasoning: 'All required fields were found; the tax amount was computed from the line items because the printed figure was partly illegible.',
    extracted_fields: {
      invoice_number: 'INV-2025-1147',
      invoice_date: '2025-11-15',
      due_date: '2025-12-15',
      vendor_name: 'Acme Corporation',
      vendor_tax_id: 'US-94-1234567',
      purchase_order: 'PO-88213',
      currency: 'USD',
      subtotal: '17,129.63',
      tax_amount: '1,370.37',
      total_amount: '18,500.00',
      payment_terms: 'Net 30',
    },
    line_items: [
      { description: 'Consulting, senior engineer (hours)', quantity: 40, unit_price: 210, amount: 8400 },
      { description: 'Consulting, engineer (hours)', quantity: 36, unit_price: 160, amount: 5760 },
      { description: 'Support retainer, November 2025', quantity: 1, unit_price: 2500, amount: 2500 },
      { description: 'Travel and expenses, on-site workshop', quantity: 1, unit_price: 469.63, amount: 469.63 },
    ],
    external_refs: { salesforce: { record_id: '001Qy00000BnXt2IAF' }, netsuite: { internal_id: '48213' } },
    doc_url: `https://records.example.com/api/document/${id}/view`,
    created_at: '2025-11-15T08:23:41Z',
    updated_at: '2025-11-16T10:02:17Z',
  };
}

const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(documentPayload(123456)));

/** Just enough of the DevTools protocol to collect garbage and read the heap of a child. */
class Inspector {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: any) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.result);
      this.waiting.delete(msg.id ?? -1);
    });
  }

  static async attach(port: number): Promise<Inspector> {
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(target!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    return new Inspector(socket);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  /** Bytes of live heap after a full collection. */
  async heapAfterGc(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    return (await this.call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  }

  /** Samples the CPU while fn runs; writes a .cpuprofile and prints where the time went. */
  async profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: 500 });
    await this.call('Profiler.start');
    try {
      return await fn();
    } finally {
      const { profile } = await this.call<{ profile: unknown }>('Profiler.stop');
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = path.join(PROFILE_DIR, `${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      progress(`${formatProfile(summarizeProfile(file, 25))}\n  (${path.relative(ROOT, file)})`);
    }
  }

  close(): void {
    this.socket.close();
  }
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

type Server = {
  kind: 'service' | 'bare';
  wsUrl: string;
  subscribers(): Promise<number>;
  /** Writes one event; resolves with its id and the time from which its latency counts. */
  emit(n: number): Promise<{ id: string; at: number }>;
  memory(): Promise<{ heap: number; rss: number }>;
  /** Runs fn; with --profile, samples the server's CPU meanwhile. */
  profiled<T>(name: string, fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
};

async function startChild(entry: string, env: Record<string, string>, readyPath: string): Promise<{ child: NodeChild; url: string; inspector: Inspector }> {
  const [port, inspectPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const child = startNode(entry, { env: { PORT: String(port), ...env }, nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] });
  try {
    await waitForOk(`${url}${readyPath}`, child);
    return { child, url, inspector: await Inspector.attach(inspectPort) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

async function startService(databaseUrl: string): Promise<Server> {
  const { child, url, inspector } = await startChild(
    'src/main.ts',
    { HOST: '127.0.0.1', DATABASE_URL: databaseUrl, API_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'warn', MIGRATE_ON_START: 'false' },
    '/readyz',
  );
  const db = new pg.Client({ connectionString: databaseUrl });
  const hints = new EventHints(new pg.Pool({ connectionString: databaseUrl, max: 1 }), pino({ level: 'warn' }));
  await db.connect();
  return {
    kind: 'service',
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    async subscribers() {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return Number(/^graphql_ws_live_subscribers (\d+)/m.exec(metrics)?.[1] ?? 0);
    },
    async emit(n) {
      // The outbox's own statement (no webhook channel is configured, so no delivery), in its own transaction.
      const { rows } = await db.query<{ id: string; last_event_seq: string }>({
        ...APPEND_ONE_EVENT,
        values: ['document.exported', n, JSON.stringify(documentPayload(n)), 1_000_000],
      });
      // The NOTIFY another instance of the service would send after its commit.
      hints.appended(rows[0]!.last_event_seq, true);
      return { id: rows[0]!.id, at: clock() };
    },
    memory: async () => ({ heap: await inspector.heapAfterGc(), rss: rssBytes(child.pid) }),
    profiled: (name, fn) => (args.profile ? inspector.profiled(name, fn) : fn()),
    async stop() {
      inspector.close();
      await hints.close();
      await db.end();
      await child.stop();
    },
  };
}

async function startBare(): Promise<Server> {
  const { child, url, inspector } = await startChild('bench/servers/bare-graphql-ws.ts', {}, '/readyz');
  let seq = 0;
  return {
    kind: 'bare',
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    subscribers: async () => Number(await (await fetch(`${url}/subscribers`)).text()),
    async emit(n) {
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      seq++;
      const event = { id, cursor: Buffer.from(`1:${seq}`).toString('base64url'), type: 'DOCUMENT_EXPORTED', occurredAt: new Date().toISOString(), payload: documentPayload(n) };
      const at = clock();
      const res = await fetch(`${url}/emit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([event]) });
      if (res.status !== 204) throw new Error(`emit answered ${res.status}`);
      return { id, at };
    },
    memory: async () => ({ heap: await inspector.heapAfterGc(), rss: rssBytes(child.pid) }),
    profiled: (name, fn) => (args.profile ? inspector.profiled(name, fn) : fn()),
    async stop() {
      inspector.close();
      await child.stop();
    },
  };
}

type Phase = { latency: LatencySummary; missing: number; heapPerSubscriberKB: number; rssPerSubscriberKB: number };

async function phase(server: Server, count: number): Promise<Phase> {
  // A few events first, so that what runs once (JIT, first queries, caches) is not counted per subscriber.
  for (let i = 0; i < 5; i++) await server.emit(i);
  const before = await server.memory();
  const fleet = Fleet.start();
  try {
    await fleet.connect(server.wsUrl, count, QUERY);
    await until(async () => (await server.subscribers()) >= count, `${count} subscribers on the ${server.kind} server`);
    const after = await server.memory();
    const committed: [string, number][] = [];
    const warmupEvents = (RATE * W.warmupMs) / 1000;
    const load = await server.profiled(`subscriptions-${server.kind}-${count}`, () => openLoop({
      rate: RATE,
      warmupMs: W.warmupMs,
      durationMs: W.measureMs,
      send: async (i) => {
        const { id, at } = await server.emit(1000 + i);
        if (i >= warmupEvents) committed.push([id, at]);
      },
    }));
    if (load.errors) throw new Error(`emitting failed: ${load.firstError}`);
    const { latencies, missing } = await fleet.collect(committed, 60_000);
    return {
      latency: summarize(latencies),
      missing,
      heapPerSubscriberKB: round((after.heap - before.heap) / count / 1024, 1),
      rssPerSubscriberKB: round((after.rss - before.rss) / count / 1024, 1),
    };
  } finally {
    await fleet.stop();
  }
}

type Run = Record<`${'service' | 'bare'}${(typeof SIZES)[number]}`, Phase> & { p99Ratio100: number; p99Ratio1000: number; p50Ratio100: number; p50Ratio1000: number };

async function oneRun(adminUrl: string, r: number): Promise<Run> {
  const db = await createBenchDatabase(adminUrl);
  const phases = {} as Record<string, Phase>;
  try {
    for (const count of SIZES) {
      // Alternating which server goes first from run to run evens out a machine that warms up or slows down.
      const order = r % 2 ? (['service', 'bare'] as const) : (['bare', 'service'] as const);
      for (const kind of order) {
        progress(`subscriptions: run ${r}/${args.runs}: ${kind}, ${count} subscribers at ${RATE} events/s`);
        const server = kind === 'service' ? await startService(db.url) : await startBare();
        try {
          phases[`${kind}${count}`] = await phase(server, count);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await db.drop();
  }
  const p = phases as Record<keyof Run, Phase>;
  return {
    ...(p as unknown as Run),
    p99Ratio100: round(p.service100.latency.p99 / p.bare100.latency.p99, 3),
    p99Ratio1000: round(p.service1000.latency.p99 / p.bare1000.latency.p99, 3),
    p50Ratio100: round(p.service100.latency.p50 / p.bare100.latency.p50, 3),
    p50Ratio1000: round(p.service1000.latency.p50 / p.bare1000.latency.p50, 3),
  };
}

/**
 * BENCH_POSTGRES=embedded: a PostgreSQL of this run's own. readEvents() reads below the
 * oldest transaction still running on the whole server (pg_snapshot_xmin), so on a shared
 * server other clients' write transactions hold events back; a private one measures the
 * service alone.
 */
async function postgres(): Promise<PostgresServer> {
  if (process.env.BENCH_POSTGRES !== 'embedded') return openPostgresServer();
  const dataDir = path.join(ROOT, `.data/bench-${randomUUID().slice(0, 8)}`);
  const embedded = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
  await client.end();
  return {
    adminUrl: embedded.url,
    kind: 'embedded, private',
    version: rows[0]!.v,
    async stop() {
      await embedded.stop();
      removeEmbeddedPostgresData(dataDir);
    },
  };
}

const pgServer = await postgres();
const runs: Run[] = [];
try {
  for (let r = 1; r <= args.runs; r++) runs.push(await oneRun(pgServer.adminUrl, r));
} finally {
  await pgServer.stop();
}

const m = medianOf(runs);
const result: BenchResult = {
  bench: 'subscriptions',
  title: `GraphQL subscriptions: commit → subscriber at ${RATE} events/s, ${PAYLOAD_BYTES}-byte payloads`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: pgServer.kind, version: pgServer.version },
  figures: [
    figure('p50, 100 subscribers', m.service100.latency.p50, 'ms'),
    figure('p99, 100 subscribers', m.service100.latency.p99, 'ms', { op: '<=', value: 50 }),
    figure('p99, 100 subscribers, bare graphql-ws', m.bare100.latency.p99, 'ms'),
    figure('p99 / bare p99, 100 subscribers (same run)', m.p99Ratio100, '×', { op: '<=', value: 1 }),
    figure('p50, 1,000 subscribers', m.service1000.latency.p50, 'ms'),
    figure('p99, 1,000 subscribers', m.service1000.latency.p99, 'ms'),
    figure('p99, 1,000 subscribers, bare graphql-ws', m.bare1000.latency.p99, 'ms'),
    figure('p99 / bare p99, 1,000 subscribers (same run)', m.p99Ratio1000, '×', { op: '<=', value: 1 }),
    figure('heap per idle subscriber (1,000)', m.service1000.heapPerSubscriberKB, 'KB', { op: '<=', value: 100 }),
    figure('RSS per idle subscriber (1,000)', m.service1000.rssPerSubscriberKB, 'KB', { op: '<=', value: 100 }),
    figure('heap per idle subscriber (1,000), bare graphql-ws', m.bare1000.heapPerSubscriberKB, 'KB'),
    figure('RSS per idle subscriber (1,000), bare graphql-ws', m.bare1000.rssPerSubscriberKB, 'KB'),
  ],
  latencies: SIZES.flatMap((n) => [
    { name: `service, ${n} subscribers`, ...m[`service${n}`].latency },
    { name: `bare graphql-ws, ${n} subscribers`, ...m[`bare${n}`].latency },
  ]),
  curves: [],
  perRun: runs,
  notes: [
    `each subscriber on a socket of its own, subscribed to ${QUERY}`,
    'the service gets its events straight into the log (the SQL of src/outbox/append-events.ts, then the hint another instance would send); the bare server gets them by an HTTP request to its in-memory emitter; latency from the INSERT’s return (its commit) for the service, from issuing the emit request for the bare server',
    `windows: ${W.warmupMs} ms warm-up, then ${W.measureMs} ms measured; memory per subscriber = (after connecting − before) / subscribers, heap after a full GC`,
    `missing messages (median): ${SIZES.map((n) => `service ${n}: ${m[`service${n}`].missing}, bare ${n}: ${m[`bare${n}`].missing}`).join('; ')}`,
    `load average at the end: ${machine().loadAverage.join(', ')} on ${machine().cores} cores`,
  ],
};
printResult(result);
process.stdout.write(
  `\n${table([
    ['server', 'subscribers', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'heap KB/sub', 'RSS KB/sub'],
    ...SIZES.flatMap((n) =>
      (['service', 'bare'] as const).map((kind) => {
        const ph = m[`${kind}${n}`];
        return [kind === 'bare' ? 'bare graphql-ws' : kind, String(n), ...[ph.latency.p50, ph.latency.p90, ph.latency.p99, ph.latency.max, ph.heapPerSubscriberKB, ph.rssPerSubscriberKB].map(String)];
      }),
    ),
  ])}\n`,
);
writeJson(args.json ?? DEFAULT_JSON, result);
