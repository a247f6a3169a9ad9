/**
 * The soak: a steady mix of mutations, 100 subscribers resuming by cursor and three
 * receivers (healthy; hostile, answering each event's first attempt in a way no receiver
 * should, and 200 after; slow), one for operational events and a webhook endpoint that
 * subscribes to every change of the product, while the service is killed
 * with SIGKILL and restarted, runs as two instances for a while, loses its PostgreSQL
 * connections and its WebSockets, and is cut off from PostgreSQL for a few seconds at a time
 * (a partition: the instances reach it through a proxy that then holds every byte, resetting
 * nothing).
 * At the end a ledger accounts for every committed event and exits non-zero on any loss.
 *
 *   npm run soak                      # 5 minutes
 *   npm run soak -- --duration 90s    # shorter (CI)
 *
 * DATABASE_URL (or SOAK_DATABASE_URL) names a PostgreSQL server to create a scratch database
 * on; without it the embedded PostgreSQL is used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { pino } from 'pino';
import WebSocket from 'ws';
import { removeEmbeddedPostgresData, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { ormConfig } from '../src/db/orm-config.js';
import { parseDuration } from '../src/duration.js';
import { START, encodeCursor } from '../src/outbox/event-log.js';
import { hostileAnswers } from '../test/helpers/hostile-answers.js';
import { startTcpProxy } from '../test/helpers/tcp-proxy.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5m' },
    rate: { type: 'string', default: '20' },
    subscribers: { type: 'string', default: '100' },
    seed: { type: 'string' },
  },
});
const DURATION_MS = parseDuration(args.duration!);
const RATE = Number(args.rate);
const SUBSCRIBERS = Number(args.subscribers);
const TOKEN = `re_${randomBytes(20).toString('hex')}`;
const RETRY_SCHEDULE = '200ms,500ms,1s,2s,3s,5s,5s,5s';
const SETTLE_TIMEOUT_MS = 120_000;
/** The event types of the product's changes: what the soak's webhook endpoint subscribes to. */
const PRODUCT_TYPES = 'DOCUMENT_EXPORTED, CONTACT_CREATED, CONTACT_UPDATED, FOLDER_CREATED, FOLDER_UPDATED';

const initialSeed = Number(args.seed ?? Date.now() % 1_000_000);
let seed = initialSeed;
/** A small seeded generator, so that a failing soak can be run again the same way (--seed). */
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const SPELLS = ['kill', 'instances', 'terminate', 'partition', 'drop'] as const;
let deck: (typeof SPELLS)[number][] = [];
/** Spells are dealt from a shuffled deck: every kind comes once in every five, so that even a short soak sees each. */
function nextSpell(): (typeof SPELLS)[number] {
  if (!deck.length) {
    deck = [...SPELLS];
    for (let i = deck.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deck[i], deck[j]] = [deck[j]!, deck[i]!];
    }
  }
  return deck.pop()!;
}

function log(message: string) {
  process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- receivers

type Receiver = { name: string; url: string; received: Map<string, number>; answered200: Map<string, number>; bodies: Map<string, string>; server: Server };

function startReceiver(name: string, answer: () => { status: number; delayMs: number }): Promise<Receiver> {
  const received = new Map<string, number>();
  const answered200 = new Map<string, number>();
  const bodies = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      received.set(id, (received.get(id) ?? 0) + 1);
      bodies.set(id, Buffer.concat(chunks).toString('utf8'));
      const { status, delayMs } = answer();
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status).end();
        if (status === 200) answered200.set(id, (answered200.get(id) ?? 0) + 1);
      }, delayMs);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ name, server, received, answered200, bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` })),
  );
}

/**
 * Answers the first request of each webhook-id in one of the hostile ways, in turn, and 200
 * to every later one: each event must still end delivered, its attempts recorded. Its
 * redirects point at `sentinel`, which must never be asked (redirects are not followed).
 */
function startHostileReceiver(sentinel: Receiver): Promise<Receiver & { hostile: Map<string, { name: string; delivers: boolean }> }> {
  const answers = hostileAnswers(sentinel.url);
  let turn = 0;
  const received = new Map<string, number>();
  const answered200 = new Map<string, number>();
  const hostile = new Map<string, { name: string; delivers: boolean }>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const n = (received.get(id) ?? 0) + 1;
      received.set(id, n);
      const answer = n === 1 ? answers[turn++ % answers.length]! : undefined;
      if (answer) hostile.set(id, { name: answer.name, delivers: answer.delivers });
      // A hostile answer the service takes as delivered counts as a 200 for the ledger.
      if (!answer || answer.delivers) answered200.set(id, (answered200.get(id) ?? 0) + 1);
      if (answer) answer.act(res);
      else res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ name: 'hostile', server, received, answered200, bodies: new Map(), hostile, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }),
    ),
  );
}

// ---------------------------------------------------------------- service instances

class Instance {
  child: ChildProcess | undefined;
  /** Set once /readyz answers: load and subscribers only go to an instance that serves. */
  ready = false;
  kills = 0;
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly databaseUrl: string,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get up() {
    return this.child !== undefined && this.ready;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        PORT: String(this.port),
        DATABASE_URL: this.databaseUrl,
        API_TOKEN: TOKEN,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
        WEBHOOK_TIMEOUT: '5s',
        WEBHOOK_POLL_INTERVAL: '500ms',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    this.ready = false;
    child.once('exit', () => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = false;
      }
    });
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${this.url}/readyz`)).ok) {
          this.ready = true;
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} did not become ready`);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.kills++;
    this.ready = false;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.ready = false;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

// ---------------------------------------------------------------- subscribers

class Subscriber {
  readonly seen = new Map<string, number>();
  cursor: string;
  client: Client | undefined;
  resumes = 0;
  private stopped = false;

  constructor(
    readonly index: number,
    start: string,
    private readonly instances: () => Instance[],
  ) {
    this.cursor = start;
  }

  connect(): void {
    if (this.stopped) return;
    const live = this.instances().filter((i) => i.up);
    if (live.length === 0) {
      setTimeout(() => this.connect(), 200);
      return;
    }
    const target = pick(live);
    const client = createClient({
      url: `ws://127.0.0.1:${target.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${TOKEN}` },
      retryAttempts: 0,
      lazy: false,
      // Failures reach the sink below, which resumes; graphql-ws would print them too.
      onNonLazyError: () => undefined,
    });
    this.client = client;
    client.subscribe<{ events: { id: string; cursor: string } }>(
      { query: 'subscription($after: String) { events(after: $after) { id cursor } }', variables: { after: this.cursor } },
      {
        next: ({ data }) => {
          // A client being replaced may still hand over a last event; the new one has it too.
          if (!data || this.client !== client) return;
          this.seen.set(data.events.id, (this.seen.get(data.events.id) ?? 0) + 1);
          this.cursor = data.events.cursor;
        },
        error: () => this.reconnect(client),
        complete: () => this.reconnect(client),
      },
    );
  }

  private reconnect(client: Client) {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    void client.dispose();
    this.resumes++;
    setTimeout(() => this.connect(), 50 + random() * 200);
  }

  drop(): void {
    const client = this.client;
    if (client) this.reconnect(client);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }
}

// ---------------------------------------------------------------- load

type Known = { contacts: string[]; folders: string[]; documents: string[] };

async function gql(instance: Instance, query: string, variables: Record<string, unknown> = {}, answered: (ms: number) => void = () => undefined): Promise<any> {
  const sent = performance.now();
  const res = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
  answered(performance.now() - sent);
  if (body.errors?.length) throw new Error(body.errors[0]!.message);
  return body.data;
}

/** One step of the load; `answered` hears how long each of its requests took. */
async function oneMutation(instance: Instance, known: Known, answered: (ms: number) => void): Promise<void> {
  const ask = (query: string, variables: Record<string, unknown>) => gql(instance, query, variables, answered);
  const roll = random();
  if (known.contacts.length < 5 || roll < 0.15) {
    const { createContact } = await ask(`mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id folders { edges { node { id } } } } }`, {
      n: `Soak ${randomBytes(3).toString('hex')}`,
    });
    known.contacts.push(createContact.id);
    for (const e of createContact.folders.edges) known.folders.push(e.node.id);
  } else if (roll < 0.35) {
    await ask(`mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { notes: $n }) { id } }`, {
      id: pick(known.contacts),
      n: randomBytes(4).toString('hex'),
    });
  } else if (roll < 0.5) {
    await ask(`mutation($id: ID!, $n: String!) { updateFolder(id: $id, input: { name: $n }) { id } }`, {
      id: pick(known.folders),
      n: `Folder ${randomBytes(3).toString('hex')}`,
    });
  } else {
    const { createDocument } = await ask(`mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "soak.pdf" }) { id } }`, {
      f: pick(known.folders),
    });
    const id = createDocument.id;
    await ask(
      `mutation($id: ID!) { recordExtraction(id: $id, input: { confidenceScore: 91, docType: "Invoice", fields: { total_amount: "100.00" } }) { id } }`,
      { id },
    );
    await ask(`mutation($id: ID!) { a: setDocumentStatus(id: $id, status: READY) { id } b: setDocumentStatus(id: $id, status: APPROVED) { id } }`, { id });
    await ask(`mutation($id: ID!) { exportDocument(id: $id) { id } }`, { id });
    known.documents.push(id);
  }
}

// ---------------------------------------------------------------- the run

async function main() {
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.SOAK_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = path.resolve(`.data/soak-${randomBytes(3).toString('hex')}`);
    embedded = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
    adminUrl = embedded.url;
  }
  const dbName = `soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const orm = await MikroORM.init(ormConfig(databaseUrl, 2));
  await orm.migrator.up();
  await orm.close(true);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();

  const healthy = await startReceiver('healthy', () => ({ status: 200, delayMs: 0 }));
  const sentinel = await startReceiver('sentinel', () => ({ status: 200, delayMs: 0 }));
  const hostile = await startHostileReceiver(sentinel);
  const slow = await startReceiver('slow', () => ({ status: 200, delayMs: 2_000 }));
  const operations = await startReceiver('operations', () => ({ status: 200, delayMs: 0 }));
  const endpointReceiver = await startReceiver('endpoint', () => ({ status: 200, delayMs: 0 }));

  // The instances' way to PostgreSQL, which a partition spell cuts; the ledger reads it directly.
  const proxy = await startTcpProxy(databaseUrl);
  const a = new Instance('A', await freePort(), proxy.url);
  const b = new Instance('B', await freePort(), proxy.url);
  const instances = () => [a, b];
  await a.start();
  await gql(
    a,
    `mutation($d: String, $c: String, $f: String, $o: String) { configureWebhooks(input: { document: { url: $d, enabled: true }, contact: { url: $c, enabled: true }, folder: { url: $f, enabled: true }, operations: { url: $o }, bearerToken: "soak" }) { offlineMode } }`,
    { d: healthy.url, c: hostile.url, f: slow.url, o: operations.url },
  );
  // A webhook endpoint for every change of the product (not the operational events), beside the channels.
  const { createWebhookEndpoint } = await gql(
    a,
    `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, subscription: "subscription { events(types: [${PRODUCT_TYPES}]) { id } }" }) { endpoint { id } } }`,
    { url: endpointReceiver.url },
  );
  const endpointTarget = `endpoint:${createWebhookEndpoint.endpoint.id}`;

  log(`seed ${initialSeed}; ${DURATION_MS / 1000} s at ${RATE} mutations/s, ${SUBSCRIBERS} subscribers; instances A :${a.port}, B :${b.port}`);
  // Every subscriber starts at the beginning of the log, so none can miss the first events.
  const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => new Subscriber(i, encodeCursor(START), instances));
  for (const s of subscribers) s.connect();

  const known: Known = { contacts: [], folders: [], documents: [] };
  const counters = { mutations: 0, mutationErrors: 0, kills: 0, backendTerminations: 0, wsDrops: 0, twoInstanceSpells: 0, partitions: 0 };
  /** The slowest answer to a mutation's request, and the slowest while a partition lasted. */
  const slowest = { anyMs: 0, partitionMs: 0 };
  let partitioned = false;
  const errorKinds = new Map<string, number>();
  const started = Date.now();
  const end = started + DURATION_MS;

  const load = (async () => {
    const interval = 1000 / RATE;
    let next = Date.now();
    const inFlight = new Set<Promise<void>>();
    while (Date.now() < end) {
      next += interval;
      const live = instances().filter((i) => i.up);
      if (live.length) {
        const during = partitioned;
        const p = oneMutation(pick(live), known, (ms) => {
          slowest.anyMs = Math.max(slowest.anyMs, ms);
          if (during || partitioned) slowest.partitionMs = Math.max(slowest.partitionMs, ms);
        })
          .then(() => void counters.mutations++)
          .catch((err: Error) => {
            counters.mutationErrors++;
            const kind = err.message.replace(/\(id [^)]*\)/, '(id …)');
            errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    await Promise.all(inFlight);
  })();

  const chaos = (async () => {
    while (Date.now() < end - 5_000) {
      await new Promise((r) => setTimeout(r, 3_000 + random() * 7_000));
      if (Date.now() >= end - 5_000) break;
      const spell = nextSpell();
      if (spell === 'kill') {
        const victim = pick(instances().filter((i) => i.up));
        if (!victim) continue;
        log(`SIGKILL instance ${victim.name}`);
        await victim.kill();
        counters.kills++;
        await new Promise((r) => setTimeout(r, 500 + random() * 1_500));
        if (!instances().some((i) => i.up) || victim === a) await victim.start();
      } else if (spell === 'instances') {
        const spare = instances().find((i) => !i.up);
        if (spare) {
          log(`starting instance ${spare.name}: two instances for a while`);
          await spare.start();
          counters.twoInstanceSpells++;
        } else {
          log('stopping instance B');
          await b.stop();
        }
      } else if (spell === 'terminate') {
        const { rowCount } = await db.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
        );
        log(`terminated ${rowCount} PostgreSQL backends of the service`);
        counters.backendTerminations++;
      } else if (spell === 'partition') {
        const ms = 2_000 + random() * 4_000;
        log(`partition: nothing reaches PostgreSQL for ${(ms / 1000).toFixed(1)} s`);
        partitioned = true;
        proxy.partition();
        await new Promise((r) => setTimeout(r, ms));
        proxy.heal();
        partitioned = false;
        counters.partitions++;
      } else {
        const victims = subscribers.filter(() => random() < 0.3);
        for (const s of victims) s.drop();
        log(`dropped ${victims.length} WebSocket connections`);
        counters.wsDrops += victims.length;
      }
    }
  })();

  const progress = setInterval(() => {
    const seen = subscribers.reduce((n, s) => n + s.seen.size, 0) / SUBSCRIBERS;
    log(
      `${Math.round((Date.now() - started) / 1000)} s: ${counters.mutations} mutations (${counters.mutationErrors} refused or cut by a kill), ` +
        `${healthy.received.size + hostile.received.size + slow.received.size} webhook ids received, ${Math.round(seen)} events per subscriber`,
    );
  }, 10_000);

  await Promise.all([load, chaos]);
  log('load finished; both instances up, waiting for the bridge to settle');
  if (!a.up) await a.start();
  if (!b.up) await b.start();

  const settleEnd = Date.now() + SETTLE_TIMEOUT_MS;
  let pending = Infinity;
  let lagging = Infinity;
  let total = 0;
  while (Date.now() < settleEnd) {
    // Not yet materialised for the endpoint count as pending too.
    pending =
      Number((await db.query(`select count(*) as n from webhook_deliveries where status = 'PENDING'`)).rows[0].n) +
      Number(
        (
          await db.query(
            `select count(*) as n from events e where e.channel <> 'OPERATIONS' and not exists (select 1 from webhook_deliveries d where d.event_seq = e.seq and d.channel = $1)`,
            [endpointTarget],
          )
        ).rows[0].n,
      );
    total = Number((await db.query(`select count(*) as n from events`)).rows[0].n);
    lagging = subscribers.filter((s) => s.seen.size < total).length;
    if (pending === 0 && lagging === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  clearInterval(progress);

  // ------------------------------------------------------------ the ledger
  const events = (await db.query<{ id: string; channel: string; type: string; payload: { channel?: string } }>(`select id, channel, type, payload from events`)).rows;
  const deliveries = (
    await db.query<{ event_id: string; channel: string; status: string; attempt_count: number; ok_attempts: string; attempts: string }>(
      `select e.id as event_id, d.channel, d.status, d.attempt_count,
         (select count(*) from webhook_attempts a where a.delivery_id = d.id and a.ok) as ok_attempts,
         (select count(*) from webhook_attempts a where a.delivery_id = d.id) as attempts
       from webhook_deliveries d join events e on e.seq = d.event_seq`,
    )
  ).rows;
  const channelDeliveries = deliveries.filter((d) => d.channel !== endpointTarget);
  const endpointDeliveries = deliveries.filter((d) => d.channel === endpointTarget);
  const receiverOf: Record<string, Receiver> = { DOCUMENT: healthy, CONTACT: hostile, FOLDER: slow, OPERATIONS: operations };
  const problems: string[] = [];
  const deliveriesByEvent = new Map<string, typeof deliveries>();
  for (const d of channelDeliveries) deliveriesByEvent.set(d.event_id, [...(deliveriesByEvent.get(d.event_id) ?? []), d]);

  let delivered = 0;
  let failed = 0;
  let duplicates = 0;
  let duplicatesFromKills = 0;
  let unrecordedAttempts = 0;
  let hostileFirsts = 0;
  let hostileFirstsRecorded = 0;
  for (const event of events) {
    const rows = deliveriesByEvent.get(event.id) ?? [];
    if (rows.length !== 1) {
      problems.push(`event ${event.id} (${event.channel}) has ${rows.length} deliveries, not exactly one`);
      continue;
    }
    const d = rows[0]!;
    const receiver = receiverOf[event.channel]!;
    const got200 = receiver.answered200.get(event.id) ?? 0;
    if (d.status === 'SUCCEEDED') {
      delivered++;
      if (got200 === 0) problems.push(`event ${event.id} is recorded as delivered but its receiver never answered 200 for it`);
    } else if (d.status === 'FAILED') {
      failed++;
      if (receiver === hostile) problems.push(`event ${event.id} FAILED on the hostile receiver, which answers 200 to every attempt after the first`);
    } else {
      problems.push(`event ${event.id} (${event.channel}) is still ${d.status} after ${SETTLE_TIMEOUT_MS / 1000} s`);
    }
    // Every attempt claimed is recorded, whatever the answer, unless its instance or its connection died first.
    unrecordedAttempts += Math.max(0, d.attempt_count - Number(d.attempts));
    const first = hostile.hostile.get(event.id);
    if (first && !first.delivers) {
      hostileFirsts++;
      if (Number(d.attempts) > Number(d.ok_attempts)) hostileFirstsRecorded++;
    }
    if (Number(d.ok_attempts) > 1) problems.push(`event ${event.id} was recorded as delivered ${d.ok_attempts} times: two instances sent it`);
    if (got200 > 1) {
      duplicates += got200 - 1;
      // An answer the log never recorded is an attempt that was in flight when its instance died.
      if (got200 - Number(d.ok_attempts) >= got200 - 1) duplicatesFromKills += got200 - 1;
      else problems.push(`event ${event.id} reached its receiver ${got200} times, more than the kills explain`);
    }
  }
  if (unrecordedAttempts > 0 && counters.kills === 0 && counters.backendTerminations === 0) {
    problems.push(`${unrecordedAttempts} attempts were made and never recorded, with no kill or lost connection to explain them`);
  }
  // The endpoint: every product event once, delivered, its body the document's result for it.
  const endpointByEvent = new Map<string, number>();
  for (const d of endpointDeliveries) endpointByEvent.set(d.event_id, (endpointByEvent.get(d.event_id) ?? 0) + 1);
  let endpointDelivered = 0;
  for (const event of events.filter((e) => e.channel !== 'OPERATIONS')) {
    const n = endpointByEvent.get(event.id) ?? 0;
    if (n !== 1) problems.push(`event ${event.id} has ${n} deliveries to the endpoint, not exactly one`);
    const body = endpointReceiver.bodies.get(event.id);
    if (body === undefined) problems.push(`event ${event.id} never reached the endpoint`);
    else if (body !== JSON.stringify({ data: { events: { id: event.id } } })) problems.push(`event ${event.id} reached the endpoint with the body ${body}`);
    else endpointDelivered++;
  }
  for (const d of endpointDeliveries) if (d.status !== 'SUCCEEDED') problems.push(`the endpoint's delivery of ${d.event_id} ended ${d.status}`);
  if (sentinel.received.size > 0) problems.push(`the redirect target got ${sentinel.received.size} requests: a redirect was followed`);
  // Operational events: every receiver ends healthy, so each channel that started failing has
  // recovered by the end, and none was switched off (no receiver answers 410).
  const operational = new Map<string, number>();
  for (const e of events.filter((e) => e.channel === 'OPERATIONS')) operational.set(e.type, (operational.get(e.type) ?? 0) + 1);
  for (const channel of ['document', 'contact', 'folder']) {
    const told = events.filter((e) => e.channel === 'OPERATIONS' && e.payload.channel === channel).map((e) => e.type);
    const failing = told.filter((t) => t === 'channel.failing').length;
    const recovered = told.filter((t) => t === 'channel.recovered').length;
    if (failing !== recovered) problems.push(`the ${channel} channel was told failing ${failing} times and recovered ${recovered} times`);
    if (told.includes('channel.disabled')) problems.push(`the ${channel} channel was switched off`);
  }
  const eventIds = new Set(events.map((e) => e.id));
  let subscriberDuplicates = 0;
  for (const s of subscribers) {
    const missing = [...eventIds].filter((id) => !s.seen.has(id));
    if (missing.length) problems.push(`subscriber ${s.index} missed ${missing.length} events (first: ${missing[0]})`);
    for (const n of s.seen.values()) subscriberDuplicates += n - 1;
  }

  log('ledger');
  const table: [string, string | number][] = [
    ['duration', `${Math.round((Date.now() - started) / 1000)} s (load ${DURATION_MS / 1000} s)`],
    ['mutations committed or attempted', `${counters.mutations} ok, ${counters.mutationErrors} refused or cut`],
    ['events committed', events.length],
    ['deliveries delivered', delivered],
    ['endpoint deliveries delivered', `${endpointDelivered} of ${endpointDeliveries.length}`],
    ['deliveries failed after the schedule', failed],
    ['operational events', [...operational].map(([type, n]) => `${n} ${type}`).join(', ') || 'none'],
    ['deliveries still pending', pending],
    ['hostile first answers recorded as failed', `${hostileFirstsRecorded} of ${hostileFirsts}`],
    ['attempts never recorded (kills, cuts)', unrecordedAttempts],
    ['webhook duplicates (all from kills)', `${duplicates} (${duplicatesFromKills} explained by in-flight attempts)`],
    ['SIGKILLs', counters.kills],
    ['two-instance spells', counters.twoInstanceSpells],
    ['PostgreSQL backend terminations', counters.backendTerminations],
    ['partitions', counters.partitions],
    ['slowest answer to a request', `${Math.round(slowest.anyMs)} ms (${Math.round(slowest.partitionMs)} ms during a partition)`],
    ['WebSocket drops', counters.wsDrops],
    ['subscribers', `${SUBSCRIBERS}, ${subscribers.reduce((n, s) => n + s.resumes, 0)} resumes`],
    ['subscriber duplicates (dropped by id)', subscriberDuplicates],
    ['problems', problems.length],
  ];
  for (const [k, v] of table) process.stdout.write(`  ${k.padEnd(40)} ${v}\n`);
  for (const [kind, n] of errorKinds) process.stdout.write(`  refused or cut mutations: ${n} × ${kind}\n`);
  for (const p of problems.slice(0, 20)) process.stdout.write(`  ✗ ${p}\n`);

  await Promise.all(subscribers.map((s) => s.stop()));
  await a.stop();
  await b.stop();
  await proxy.close();
  for (const r of [healthy, hostile, slow, sentinel, operations, endpointReceiver]) {
    r.server.closeAllConnections();
    r.server.close();
  }
  await db.end();
  if (problems.length && !embedded) {
    await admin.end();
    log(`FAILED: ${problems.length} problems (seed ${initialSeed}); the database is kept for inspection: ${databaseUrl}`);
    process.exit(1);
  }
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  await embedded?.stop();
  if (dataDir) removeEmbeddedPostgresData(dataDir);
  if (problems.length) {
    log(`FAILED: ${problems.length} problems (seed ${initialSeed})`);
    process.exit(1);
  }
  log('every committed event is accounted for');
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
