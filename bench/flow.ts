import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchArgs } from './lib/args.js';
import { freePort, runNodeForJson } from './lib/children.js';
import { CpuMeter, type CpuShares } from './lib/cpu-share.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { Fleet, liveSubscribers, until } from './lib/fleet.js';
import { gcSince, readGc } from './lib/gc-meter.js';
import { MutationAcks } from './lib/acks.js';
import { MUTATIONS, eventsAfter, seedEntities, type Entities } from './lib/entities.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { openLoop } from './lib/load.js';
import { BenchReceiver } from './lib/receiver.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, startProfiledNode, startService, type RunningService } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * The product's flow through its public API, as users' traffic comes: every event-producing
 * mutation over HTTP at a steady rate over 100 entities, the webhooks of all three channels on
 * (a receiver on loopback that answers 200) and 10 graphql-ws subscribers on `events`. For each
 * mutation the time to its answer (from when it was due), and for each event the time from that
 * answer to the webhook's arrival and to each subscriber's. Beside it, in the same run, a bare
 * Apollo Server at the same rate, and the same flow on the bare stack (bench/servers/bare-flow.ts).
 */
const args = benchArgs();
/** The offered rates, in turn on one service: the last is the target's. */
const RATES = args.quick ? [100] : [100, 200, 300, 500];
const TARGET_RATE = RATES[RATES.length - 1]!;
/** The delivery worker's default WEBHOOK_CONCURRENCY: the bare ky loop runs at the same. */
const KY_CONCURRENCY = 64;
const ENTITIES = 100;
const SUBSCRIBERS = 10;
const windows = args.quick ? { warmupMs: 1000, durationMs: 2000 } : { warmupMs: 3000, durationMs: 10_000 };
/** How long the webhooks and subscribers may take to catch up after the load before events count as lost. */
const SETTLE_MS = 30_000;
/** The clock the subscriber process shares: epoch milliseconds, sub-millisecond. */
const clock = () => performance.timeOrigin + performance.now();

type Leg = LatencySummary;
type Step = {
  offered: number;
  achieved: number;
  errors: number;
  mutation: Leg;
  ackToWebhook: Leg;
  ackToSubscriber: Leg;
  cpuMsPerMutation: number;
  /** The service's write and read system calls per mutation offered (cpu-share.ts). */
  writesPerMutation: number;
  readsPerMutation: number;
  postgresMsPerMutation: number;
  harnessMsPerMutation: number;
  /** The machine's busy time over the step, as a share of all its cores. */
  machineBusyPct: number;
  /** The service's major (mark-compact) collections over the step, all instances. */
  majorCollections: number;
  /** The service's time in garbage-collection pauses per mutation offered. */
  gcMsPerMutation: number;
  lost: number;
};
/** The flow on the bare stack (bench/servers/bare-flow.ts) at the target rate: its legs, its CPU and the machine's. */
type BareFlow = { mutation: Leg; ackToWebhook: Leg; ackToSubscriber: Leg; cpuMsPerMutation: number; postgresMsPerMutation: number; machineBusyPct: number; lost: number };
type Run = { steps: Step[]; twoInstances: Step; bare: Leg; bareFlow: BareFlow; bareKyPerSecond: number; mutationP99VsBare: number; mutationP99VsBareFlow: number };

/**
 * The answer → webhook leg of each event timed (its answer's time on the shared clock; 0: not
 * in the measured window), and how many events never reached the receiver.
 */
function webhookLeg(receiver: BenchReceiver, acked: readonly [id: string, at: number][]): { latencies: number[]; lost: number } {
  const latencies: number[] = [];
  let lost = 0;
  for (const [id, at] of acked) {
    const arrived = receiver.arrivals.get(id);
    if (arrived === undefined) lost++;
    // An answer can reach the client after the webhook reached its receiver: that leg is 0.
    else if (at > 0) latencies.push(Math.max(0, performance.timeOrigin + arrived - at));
  }
  return { latencies, lost };
}

/** The machine's busy time over a span, as a share of all its cores. */
const machineBusyPct = (cpu: CpuShares) => round((100 * cpu.machineMs) / (cpu.wallMs * availableParallelism()), 1);

/** The i-th request of the mix: five mutations in turn, each on the next of its 100 entities. */
function request(i: number, e: Entities): { body: string; marker?: string; document?: string } {
  const k = Math.floor(i / 5) % ENTITIES;
  const marker = `m${i}`;
  switch (i % 5) {
    case 0:
      return { body: JSON.stringify({ query: MUTATIONS.updateContact, variables: { id: e.contacts[k], name: `Contact ${k} ${marker}` } }), marker };
    case 1:
      return { body: JSON.stringify({ query: MUTATIONS.updateFolder, variables: { id: e.folders[k], name: `Folder ${k} ${marker}` } }), marker };
    case 2:
      return { body: JSON.stringify({ query: MUTATIONS.exportDocument, variables: { id: e.documents[k] } }), document: e.documents[k] };
    case 3:
      return { body: JSON.stringify({ query: MUTATIONS.createContact, variables: { name: `New ${marker}` } }), marker };
    default:
      return { body: JSON.stringify({ query: MUTATIONS.createFolder, variables: { name: `Folder ${marker}`, contactId: e.contacts[k] } }), marker };
  }
}

async function bareApollo(): Promise<Leg> {
  const port = await freePort();
  const child = await startProfiledNode('bench/servers/bare-apollo.ts', {
    // Node's own type stripping: no module hooks, as the service runs from its build.
    loader: 'node',
    env: { PORT: String(port) }, readyUrl: `http://127.0.0.1:${port}/readyz`, profile: false });
  const client = new GraphQLClient(`http://127.0.0.1:${port}`, BENCH_TOKEN, 64);
  try {
    const query = 'mutation Touch($id: ID!, $input: TouchInput!) { touch(id: $id, input: $input) { id aiSummary updatedAt } }';
    const load = await openLoop({ rate: TARGET_RATE, ...windows, send: (i) => client.send(JSON.stringify({ query, variables: { id: String(i % ENTITIES), input: { aiSummary: `s${i}` } } })) });
    return summarize(load.latencies);
  } finally {
    await client.close();
    await child.stop();
  }
}

/** A bare POST loop with ky, configured as the sender is, at the worker's concurrency: the most a webhook path could deliver here. */
async function bareKy(): Promise<number> {
  const receiver = await new BenchReceiver('answer').start();
  try {
    const loop = await runNodeForJson<{ perSecond: number }>('bench/servers/post-loop.ts', [
      '--client', 'ky-lean',
      '--url', receiver.url,
      '--concurrency', String(KY_CONCURRENCY),
      '--warmup', String(windows.warmupMs),
      '--duration', String(windows.durationMs),
    ]);
    return loop.perSecond;
  } finally {
    await receiver.stop();
  }
}

/**
 * The flow on the bare stack: the same load at the target rate against
 * bench/servers/bare-flow.ts, which writes one row per mutation and sends one signed webhook
 * and a frame to each subscriber, with none of the service's guarantees, on the same machine
 * and PostgreSQL, with the same receiver and the same subscribers' process: what this stack
 * does for the flow when it does the least.
 */
async function bareFlow(databaseUrl: string): Promise<BareFlow> {
  const receiver = await new BenchReceiver('answer').start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Through tsx: it sends with the service's own transport under ky (src/webhooks/dispatcher-fetch.ts).
  const child = await startProfiledNode('bench/servers/bare-flow.ts', {
    loader: 'tsx',
    env: { PORT: String(port), DATABASE_URL: databaseUrl, WEBHOOK_URL: receiver.url },
    readyUrl: `${url}/readyz`,
    profile: false,
  });
  const client = new GraphQLClient(url, undefined, 64);
  const fleet = Fleet.start();
  try {
    await fleet.connect(`${url.replace(/^http/, 'ws')}/graphql`, SUBSCRIBERS, 'subscription { events { id } }');
    await until(async () => (await liveSubscribers(url)) >= SUBSCRIBERS, `${SUBSCRIBERS} subscribers`);
    const query = 'mutation Touch($id: ID!, $input: TouchInput!) { touch(id: $id, input: $input) { id eventId } }';
    const acks = new Map<string, number>();
    const measureFrom = clock() + windows.warmupMs;
    const meter = CpuMeter.start([child.pid], [fleet.pid]);
    const load = await openLoop({
      rate: TARGET_RATE,
      ...windows,
      send: async (i) => {
        const data = await client.request<{ touch: { eventId: string } }>(query, { id: String(i % ENTITIES), input: { aiSummary: `s${i}` } });
        acks.set(data.touch.eventId, clock());
      },
    });
    const cpu = meter.used();
    const requests = (TARGET_RATE * (windows.warmupMs + windows.durationMs)) / 1000;
    await receiver.waitFor(acks.size, SETTLE_MS);
    const acked = [...acks].map(([id, ack]): [string, number] => [id, ack >= measureFrom ? ack : 0]);
    const webhooks = webhookLeg(receiver, acked);
    const subscribed = await fleet.collect(acked, SETTLE_MS);
    return {
      mutation: summarize(load.latencies),
      ackToWebhook: summarize(webhooks.latencies),
      ackToSubscriber: summarize(subscribed.latencies),
      cpuMsPerMutation: round(cpu.serviceMs / requests, 3),
      postgresMsPerMutation: round(cpu.postgresMs / requests, 3),
      machineBusyPct: machineBusyPct(cpu),
      lost: webhooks.lost + subscribed.missingEvents,
    };
  } finally {
    await fleet.stop();
    await client.close();
    await child.stop();
    await receiver.stop();
  }
}

/** What a step needs of the service under test, set up once for all steps. */
type Rig = {
  /** One instance, or two on the same database behind the load's round robin (as behind a load balancer). */
  services: RunningService[];
  /** One per instance: request i goes to instance i mod n. */
  clients: GraphQLClient[];
  receiver: BenchReceiver;
  fleet: Fleet;
  entities: Entities;
  /** The log's end before the step: its events are those after it. */
  cursor: string | null;
  /** Requests sent so far: markers stay unique across steps. */
  sent: number;
  /** When each mutation was answered, to match the log's events with. */
  acks: MutationAcks;
};

async function step(rig: Rig, rate: number): Promise<Step> {
  const { services, clients, receiver, fleet, entities } = rig;
  const offset = rig.sent;
  const gcBefore = await readGc(services.map((svc) => svc.url));
  const loadStart = performance.now();
  const measureFrom = performance.timeOrigin + loadStart + windows.warmupMs;
  const meter = CpuMeter.start(services.map((svc) => svc.pid), [fleet.pid]);
  progress(`  ${rate} mutations/s for ${(windows.warmupMs + windows.durationMs) / 1000} s`);
  const load = await services[0]!.profiled(`flow-${services.length > 1 ? `${services.length}x-` : ''}${rate}`, () =>
    openLoop({
      rate,
      ...windows,
      send: async (i) => {
        const r = request(offset + i, entities);
        await clients[(offset + i) % clients.length]!.send(r.body);
        const at = clock();
        rig.acks.answered(r, at);
      },
    }),
  );
  const cpu = meter.used();
  const gc = gcSince(gcBefore, await readGc(services.map((svc) => svc.url)));
  const requests = (rate * (windows.warmupMs + windows.durationMs)) / 1000;
  rig.sent += requests;
  if (load.errors) progress(`  ${load.errors} mutations failed, the first: ${load.firstError}`);

  const { events, last } = await eventsAfter(clients[0]!, rig.cursor);
  rig.cursor = last;
  await receiver.waitFor(receiver.received + events.filter((e) => !receiver.arrivals.has(e.id)).length, SETTLE_MS);

  const acked = events.map((e): [string, number] => {
    const ack = rig.acks.of(e);
    return [e.id, ack !== undefined && ack >= measureFrom ? ack : 0];
  });
  const webhooks = webhookLeg(receiver, acked);
  const subscribed = await fleet.collect(acked, SETTLE_MS);
  if (webhooks.lost || subscribed.missingEvents) progress(`  lost: ${webhooks.lost} webhooks, ${subscribed.missing} subscriber arrivals (${subscribed.missingEvents} events)`);
  return {
    offered: rate,
    achieved: round(load.completed / load.seconds, 0),
    errors: load.errors,
    mutation: summarize(load.latencies),
    ackToWebhook: summarize(webhooks.latencies),
    ackToSubscriber: summarize(subscribed.latencies),
    // openLoop returns once every request it sent is answered: the CPU measured is theirs.
    cpuMsPerMutation: round(cpu.serviceMs / Math.max(1, requests), 3),
    writesPerMutation: round(cpu.serviceWrites / Math.max(1, requests), 2),
    readsPerMutation: round(cpu.serviceReads / Math.max(1, requests), 2),
    postgresMsPerMutation: round(cpu.postgresMs / Math.max(1, requests), 3),
    harnessMsPerMutation: round(cpu.harnessMs / Math.max(1, requests), 3),
    machineBusyPct: machineBusyPct(cpu),
    majorCollections: gc.majorCollections,
    gcMsPerMutation: round(gc.pauseMs / Math.max(1, requests), 3),
    lost: webhooks.lost + subscribed.missingEvents,
  };
}

/** The steps at each rate on `instances` instances of the service sharing one database; the subscribers are spread over them. */
async function flow(databaseUrl: string, instances: number, rates: readonly number[]): Promise<Step[]> {
  const receiver = await new BenchReceiver('answer').start();
  const services: RunningService[] = [];
  const clients: GraphQLClient[] = [];
  const fleet = Fleet.start();
  try {
    for (let n = 0; n < instances; n++) {
      const svc = await startService({ databaseUrl, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, profile: args.profile && instances === 1 });
      services.push(svc);
      clients.push(new GraphQLClient(svc.url, BENCH_TOKEN, 64));
    }
    const client = clients[0]!;
    await client.request('mutation ($u: String) { configureWebhooks(input: { document: { url: $u }, contact: { url: $u }, folder: { url: $u } }) { offlineMode } }', {
      u: receiver.url,
    });
    progress('  seeding 100 contacts and 100 approved documents');
    const entities = await seedEntities(client, ENTITIES);
    const { last: cursor } = await eventsAfter(client, null);
    const share = SUBSCRIBERS / instances;
    for (const svc of services) {
      await fleet.connect(`${svc.url.replace(/^http/, 'ws')}/graphql`, share, 'subscription { events { id } }');
      await until(async () => (await liveSubscribers(svc.url)) >= share, `${share} subscribers`);
    }
    const rig: Rig = { services, clients, receiver, fleet, entities, cursor, sent: 0, acks: new MutationAcks() };
    const steps: Step[] = [];
    for (const rate of rates) steps.push(await step(rig, rate));
    return steps;
  } finally {
    await fleet.stop();
    for (const client of clients) await client.close();
    for (const svc of services) await svc.stop();
    await receiver.stop();
  }
}

/** A step meets the targets: answered at the offered rate, every leg's p99 within 50 ms, nothing lost. */
const meets = (s: Step) => s.achieved >= s.offered * 0.95 && s.mutation.p99 <= 50 && s.ackToWebhook.p99 <= 50 && s.ackToSubscriber.p99 <= 50 && s.lost === 0;

const highestMeeting = (steps: Step[]) => Math.max(0, ...steps.filter(meets).map((s) => s.offered));
/** The service's own CPU per mutation at the target rate (one instance). */
const CPU_TARGET_MS = 1.2;

const server = await openPostgresServer();
const runs: Run[] = [];

/** Each service under test starts on a database of its own, dropped after it. */
async function onNewDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const db = await createBenchDatabase(server.adminUrl);
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
  }
}
try {
  for (let r = 1; r <= args.runs; r++) {
    progress(`flow: run ${r}/${args.runs}: bare Apollo Server at ${TARGET_RATE}/s`);
    const bare = await bareApollo();
    progress(`flow: run ${r}/${args.runs}: the flow on the bare stack (one row, one webhook, one frame per mutation) at ${TARGET_RATE}/s`);
    const flowOnBareStack = await onNewDatabase((url) => bareFlow(url));
    progress(`flow: run ${r}/${args.runs}: a bare ky POST loop at concurrency ${KY_CONCURRENCY}`);
    const bareKyPerSecond = await bareKy();
    progress(`flow: run ${r}/${args.runs}: the service`);
    const steps = await onNewDatabase((url) => flow(url, 1, RATES));
    progress(`flow: run ${r}/${args.runs}: two instances of the service on one database`);
    const [twoInstances] = await onNewDatabase((url) => flow(url, 2, [TARGET_RATE]));
    const top = steps[steps.length - 1]!;
    runs.push({
      steps,
      twoInstances: twoInstances!,
      bare,
      bareFlow: flowOnBareStack,
      bareKyPerSecond,
      mutationP99VsBare: round(top.mutation.p99 / bare.p99, 3),
      mutationP99VsBareFlow: round(top.mutation.p99 / flowOnBareStack.mutation.p99, 3),
    });
    progress(`flow: run ${r}/${args.runs}: highest rate with every target met: ${highestMeeting(steps)}/s`);
  }
} finally {
  await server.stop();
}

/** Each step's figures, the median over the runs. */
const medianSteps: Step[] = RATES.map((_, i) => medianOf(runs.map((run) => run.steps[i]!)));
const two: Step = medianOf(runs.map((run) => run.twoInstances));
const m = medianOf(runs.map(({ bare, bareFlow, bareKyPerSecond, mutationP99VsBare, mutationP99VsBareFlow }) => ({ bare, bareFlow, bareKyPerSecond, mutationP99VsBare, mutationP99VsBareFlow })));
const top = medianSteps[medianSteps.length - 1]!;
const highestMet = highestMeeting(medianSteps);
const stepFigures = (s: Step, label = `${s.offered}/s`) => [
  figure(`${label}: mutations answered`, s.achieved, 'mutations/s'),
  figure(`${label}: mutation p50`, s.mutation.p50, 'ms'),
  figure(`${label}: mutation p99`, s.mutation.p99, 'ms'),
  figure(`${label}: answer → webhook p50`, s.ackToWebhook.p50, 'ms'),
  figure(`${label}: answer → webhook p99`, s.ackToWebhook.p99, 'ms'),
  figure(`${label}: answer → subscriber p50`, s.ackToSubscriber.p50, 'ms'),
  figure(`${label}: answer → subscriber p99`, s.ackToSubscriber.p99, 'ms'),
  figure(`${label}: service CPU`, s.cpuMsPerMutation, 'ms/mutation'),
  figure(`${label}: service write system calls`, s.writesPerMutation, 'per mutation'),
  figure(`${label}: service read system calls`, s.readsPerMutation, 'per mutation'),
  figure(`${label}: PostgreSQL CPU`, s.postgresMsPerMutation, 'ms/mutation'),
  figure(`${label}: harness CPU (load, receiver, subscribers)`, s.harnessMsPerMutation, 'ms/mutation'),
  figure(`${label}: machine busy`, s.machineBusyPct, '% of all cores'),
  figure(`${label}: service major GCs`, s.majorCollections, 'in the step'),
  figure(`${label}: service GC pauses`, s.gcMsPerMutation, 'ms/mutation'),
];
const perStep = [...medianSteps.flatMap((s) => stepFigures(s)), ...stepFigures(two, `two instances, ${two.offered}/s`)];
const result: BenchResult = {
  bench: 'flow',
  title: `The whole flow: mutations over HTTP at ${RATES.join(', ')}/s with webhooks and ${SUBSCRIBERS} subscribers on`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    ...perStep,
    figure(`mutations answered at ${TARGET_RATE}/s`, top.achieved, 'mutations/s', { op: '>=', value: TARGET_RATE * 0.95 }),
    figure(`mutation p99 at ${TARGET_RATE}/s`, top.mutation.p99, 'ms', { op: '<=', value: 50 }),
    figure(`answer → webhook p99 at ${TARGET_RATE}/s`, top.ackToWebhook.p99, 'ms', { op: '<=', value: 50 }),
    figure(`answer → subscriber p99 at ${TARGET_RATE}/s`, top.ackToSubscriber.p99, 'ms', { op: '<=', value: 50 }),
    figure(`service CPU at ${TARGET_RATE}/s`, top.cpuMsPerMutation, 'ms/mutation', { op: '<=', value: CPU_TARGET_MS }),
    figure('events lost, all rates', medianSteps.reduce((sum, s) => sum + s.lost, 0) + two.lost, '', { op: '<=', value: 0 }),
    figure(`two instances: every target met at ${TARGET_RATE}/s`, meets(two) ? 1 : 0, '(1 = yes)'),
    figure('highest rate with every target met', highestMet, 'mutations/s', { op: '>=', value: TARGET_RATE }),
    figure(`bare Apollo p99 at ${TARGET_RATE}/s`, m.bare.p99, 'ms'),
    figure(`mutation p99 / bare Apollo p99 at ${TARGET_RATE}/s (same run)`, m.mutationP99VsBare, '×'),
    figure(`bare ky POST loop (concurrency ${KY_CONCURRENCY})`, m.bareKyPerSecond, 'POSTs/s'),
    figure(`bare flow at ${TARGET_RATE}/s: mutation p50`, m.bareFlow.mutation.p50, 'ms'),
    figure(`bare flow at ${TARGET_RATE}/s: mutation p99`, m.bareFlow.mutation.p99, 'ms'),
    figure(`bare flow at ${TARGET_RATE}/s: answer → webhook p99`, m.bareFlow.ackToWebhook.p99, 'ms'),
    figure(`bare flow at ${TARGET_RATE}/s: answer → subscriber p99`, m.bareFlow.ackToSubscriber.p99, 'ms'),
    figure(`bare flow at ${TARGET_RATE}/s: server CPU`, m.bareFlow.cpuMsPerMutation, 'ms/mutation'),
    figure(`bare flow at ${TARGET_RATE}/s: PostgreSQL CPU`, m.bareFlow.postgresMsPerMutation, 'ms/mutation'),
    figure(`bare flow at ${TARGET_RATE}/s: machine busy`, m.bareFlow.machineBusyPct, '% of all cores'),
    figure(`bare flow at ${TARGET_RATE}/s: events lost`, m.bareFlow.lost, ''),
    figure(`mutation p99 / bare flow mutation p99 at ${TARGET_RATE}/s (same run)`, m.mutationP99VsBareFlow, '×'),
  ],
  latencies: [
    { name: `bare Apollo mutation at ${TARGET_RATE}/s`, ...m.bare },
    { name: `bare flow at ${TARGET_RATE}/s: mutation`, ...m.bareFlow.mutation },
    { name: `bare flow at ${TARGET_RATE}/s: answer → webhook`, ...m.bareFlow.ackToWebhook },
    { name: `bare flow at ${TARGET_RATE}/s: answer → subscriber`, ...m.bareFlow.ackToSubscriber },
    ...medianSteps.flatMap((s) => [
      { name: `${s.offered}/s mutation`, ...s.mutation },
      { name: `${s.offered}/s answer → webhook`, ...s.ackToWebhook },
      { name: `${s.offered}/s answer → subscriber`, ...s.ackToSubscriber },
    ]),
    { name: `two instances, ${two.offered}/s mutation`, ...two.mutation },
    { name: `two instances, ${two.offered}/s answer → webhook`, ...two.ackToWebhook },
    { name: `two instances, ${two.offered}/s answer → subscriber`, ...two.ackToSubscriber },
  ],
  curves: [{ name: 'mutations answered', unit: 'mutations/s', points: medianSteps.map((s) => ({ offered: s.offered, achieved: s.achieved, backlogGrew: !meets(s) })) }],
  perRun: runs,
  notes: [
    `open loop at ${RATES.join(', ')}/s in turn on one service: updateContact, updateFolder, exportDocument, createContact (three events) and createFolder in turn, over ${ENTITIES} entities each; per rate ${windows.warmupMs} ms warm-up, ${windows.durationMs} ms measured`,
    'a mutation is timed from when it was due; an event from its mutation’s answer (after the commit) to the webhook’s arrival and to each subscriber’s',
    `lost: an event of the log that had not reached the receiver and every subscriber ${SETTLE_MS / 1000} s after the load`,
    `two instances: a second run, on a database of its own, of two instances of the service on the same database at ${TARGET_RATE}/s, the requests sent to each in turn (as a load balancer would) and ${SUBSCRIBERS / 2} subscribers on each; service CPU is both instances`,
    'system calls per mutation offered, over the same span as the CPU: the service’s reads and writes (/proc/<pid>/io); on this kind of virtual machine a write that wakes a sleeping reader costs more than most of what a request does in JavaScript, and the count, unlike the CPU, does not move with the machine’s other load',
    'CPU per mutation offered, over the whole step (warm-up included): the service; PostgreSQL (every postgres process on the machine, its WAL writer and autovacuum included); the harness (this process, which sends the mutations and receives the webhooks, and the subscribers’ process); machine busy: user, system and interrupt time of all cores over the step',
    'service GCs: from its /metrics (nodejs_gc_duration_seconds) over the step: major (mark-compact) collections, which hold every request in flight, and the time in all collections’ pauses per mutation offered',
    `bare flow: the flow on the bare stack, bench/servers/bare-flow.ts on a database of its own at ${TARGET_RATE}/s, with the same receiver and ${SUBSCRIBERS} subscribers in the same process as the service’s: Apollo Server 5 on express 5 whose mutation writes one row in one statement, then sends one webhook signed as the service signs it (ky configured as the sender is, its time limit included, fire and forget) and a frame to every graphql-ws subscriber; no outbox, no claim, no record, no retry`,
    `the bare ky loop: ky configured as the sender is, closed loop at concurrency ${KY_CONCURRENCY} to the same kind of receiver; 1.4 webhooks per mutation at ${TARGET_RATE}/s is ${TARGET_RATE * 1.4}/s`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
