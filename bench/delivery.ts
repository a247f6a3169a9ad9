import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchArgs } from './lib/args.js';
import { runNodeForJson } from './lib/children.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { EventProducer } from './lib/events.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { openLoop } from './lib/load.js';
import { BenchReceiver } from './lib/receiver.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, PROFILE_DIR, startService, type RunningService } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * Webhook delivery by the service's own worker (in the service's process): (a) commit →
 * receiver latency at a steady rate, (b) the highest delivery rate it sustains, against bare
 * POST loops on the same receiver at the same concurrency, (c) what a receiver that never
 * answers does to mutation latency.
 */
const WORKER_CONCURRENCY = 64;
const STEADY_RATE = 100;
/** With 10 s measured, the p99 of (c) stands on 500 requests, not on the two slowest of 180. */
const MUTATION_RATE = 50;
const CONTACTS = 64;
const CLIENTS = ['ky', 'ky-lean', 'fetch', 'undici'] as const;
/** Halvings of the gap between the highest offered rate sustained and the lowest one not sustained. */
const REFINE_STEPS = 2;

const args = benchArgs();
const W = args.quick
  ? { warmupMs: 500, latencyMs: 2000, loopWarmupMs: 500, loopMs: 1500, probeEvents: 100, drainMs: 1500, sweepWarmupMs: 500, sweepMs: 2000, sweep: [0.6, 0.9, 1.2], onsetMs: 3000, mutationMs: 2000 }
  : { warmupMs: 1000, latencyMs: 8000, loopWarmupMs: 1500, loopMs: 3000, probeEvents: 200, drainMs: 4000, sweepWarmupMs: 1000, sweepMs: 3000, sweep: [0.5, 0.8, 1.0, 1.1, 1.2, 1.35, 1.5, 1.7], onsetMs: 4000, mutationMs: 10_000 };

type LoopResult = { client: string; perSecond: number; latency: LatencySummary; cpuMsPerRequest: number; errors: number; firstError?: string };
type SweepPoint = { offered: number; achieved: number; backlogGrowth: number; sustained: boolean };
type Run = {
  latency: CommitLatency;
  drain: { perSecond: number; workerCpuMsPerDelivery: number };
  sweep: SweepPoint[];
  maxSustained: number;
  loops: Record<(typeof CLIENTS)[number], LoopResult>;
  sustainedVsKy: number;
  sustainedVsKyLean: number;
  sustainedVsFetch: number;
  kyCpuVsFetch: number;
  kyLeanCpuVsFetch: number;
  kyLeanCpuVsUndici: number;
  mutationHealthy: MutationLatency;
  mutationHanging: MutationLatency;
  hangingVsHealthyP99: number;
};

async function configure(client: GraphQLClient, url: string): Promise<void> {
  await client.request(
    `mutation ($url: String!) { configureWebhooks(input: { contact: { url: $url, enabled: true }, folder: { url: $url, enabled: true }, document: { url: $url, enabled: true }, bearerToken: "bench-receiver-token" }) { offlineMode } }`,
    { url },
  );
}

async function allArrived(receiver: BenchReceiver, producer: EventProducer, timeoutMs: number): Promise<boolean> {
  return receiver.waitFor(producer.produced, timeoutMs);
}

type CommitLatency = { total: LatencySummary; toAttempt: LatencySummary; attemptToArrival: LatencySummary };

/**
 * (a) One event at a time, each in its own transaction, at a steady rate; latency from
 * COMMIT's return to arrival, split at the attempt's started_at as the service logged it
 * (the same machine's clock, to the millisecond): waking up and claiming, then sending.
 */
async function commitToReceiver(receiver: BenchReceiver, producer: EventProducer): Promise<CommitLatency> {
  receiver.reset();
  producer.produced = 0;
  const commits: { id: string; at: number }[] = [];
  const start = performance.now();
  const measureFrom = start + W.warmupMs;
  const load = await openLoop({
    rate: STEADY_RATE,
    warmupMs: W.warmupMs,
    durationMs: W.latencyMs,
    send: async () => {
      const { id, committedAt } = await producer.recordOne();
      if (committedAt >= measureFrom) commits.push({ id, at: committedAt });
    },
  });
  if (load.errors) throw new Error(`recording events failed: ${load.firstError}`);
  if (!(await allArrived(receiver, producer, 30_000))) throw new Error(`only ${receiver.received} of ${producer.produced} events arrived`);
  const starts = await producer.attemptStarts(commits.map((c) => c.id));
  // performance.now() on the epoch clock, to compare with the started_at the service wrote.
  const epoch = (t: number) => performance.timeOrigin + t;
  return {
    total: summarize(commits.map((c) => receiver.arrivals.get(c.id)! - c.at)),
    toAttempt: summarize(commits.map((c) => starts.get(c.id)! - epoch(c.at))),
    attemptToArrival: summarize(commits.map((c) => epoch(receiver.arrivals.get(c.id)!) - starts.get(c.id)!)),
  };
}

async function postLoop(client: string, url: string): Promise<LoopResult> {
  const profile = args.profile ? ['--profile', path.join(PROFILE_DIR, `delivery-loop-${client}.cpuprofile`)] : [];
  return runNodeForJson<LoopResult>('bench/servers/post-loop.ts', [
    '--client', client,
    '--url', url,
    '--concurrency', String(WORKER_CONCURRENCY),
    '--warmup', String(W.loopWarmupMs),
    '--duration', String(W.loopMs),
    ...profile,
  ]);
}

/** A standing backlog inserted in one transaction, drained by the worker as fast as it goes. */
async function drainBacklog(svc: RunningService, receiver: BenchReceiver, producer: EventProducer, events: number, profile: boolean) {
  receiver.reset();
  producer.produced = 0;
  const cpu0 = svc.cpuMs();
  const t0 = performance.now();
  const work = async () => {
    await producer.recordMany(events);
    if (!(await allArrived(receiver, producer, 120_000))) throw new Error(`only ${receiver.received} of ${producer.produced} deliveries arrived`);
  };
  await (profile ? svc.profiled('delivery-drain', work) : work());
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: round(events / seconds, 0), workerCpuMsPerDelivery: round((svc.cpuMs() - cpu0) / events, 3) };
}

/** A small backlog first gives the pace; the measured one is sized to last about W.drainMs at that pace. */
async function drain(svc: RunningService, receiver: BenchReceiver, producer: EventProducer): Promise<Run['drain']> {
  const probe = await drainBacklog(svc, receiver, producer, W.probeEvents, false);
  const events = Math.max(W.probeEvents, Math.round((probe.perSecond * W.drainMs) / 1000));
  return drainBacklog(svc, receiver, producer, events, true);
}

/**
 * Events offered at a steady rate, in a batch every 50 ms; the rate is sustained when what
 * arrives keeps up with it and the backlog (offered − arrived) does not grow over the window.
 */
async function offer(receiver: BenchReceiver, producer: EventProducer, rate: number): Promise<SweepPoint> {
  receiver.reset();
  producer.produced = 0;
  const tickMs = 50;
  const start = performance.now();
  const measureFrom = start + W.sweepWarmupMs;
  const end = measureFrom + W.sweepMs;
  let owed = 0;
  let at = start;
  let mark: { produced: number; received: number } | undefined;
  while (at < end) {
    if (!mark && at >= measureFrom) mark = { produced: producer.produced, received: receiver.received };
    owed += (rate * tickMs) / 1000;
    const n = Math.floor(owed);
    owed -= n;
    await producer.recordMany(n);
    at += tickMs;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const seconds = (performance.now() - measureFrom) / 1000;
  const offered = (producer.produced - mark!.produced) / seconds;
  const achieved = (receiver.received - mark!.received) / seconds;
  const backlogGrowth = producer.produced - receiver.received - (mark!.produced - mark!.received);
  // Slack: what one worker batch holds in flight, and 5% of what was offered in the window.
  const sustained = achieved >= 0.95 * offered && backlogGrowth <= WORKER_CONCURRENCY + 0.05 * offered * seconds;
  await allArrived(receiver, producer, 60_000);
  return { offered: round(offered, 0), achieved: round(achieved, 0), backlogGrowth, sustained };
}

async function seedContacts(client: GraphQLClient): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    const { createContact } = await client.request<{ createContact: { id: string } }>(
      'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }',
      { input: { name: `Contact ${i}`, type: 'CLIENT' } },
    );
    ids.push(createContact.id);
  }
  return ids;
}

/**
 * `onset`: the first W.onsetMs after the receiver was configured, which a hanging receiver
 * spends timing out the attempts already under way (WEBHOOK_TIMEOUT is 2 s here) and opening
 * the circuit; `latency`: the steady state after it, what the target is about.
 */
type MutationLatency = { onset: LatencySummary; latency: LatencySummary; mostWaitingOnLocks: number };

/**
 * (c) updateContact (one event each) at a steady rate, while the worker delivers what it
 * fires; meanwhile, how many of the service's connections wait for a lock, sampled every 50 ms.
 */
async function mutationLatency(client: GraphQLClient, producer: EventProducer, contacts: string[], tag: string): Promise<MutationLatency> {
  const query = 'mutation ($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id updatedAt } }';
  let mostWaitingOnLocks = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      mostWaitingOnLocks = Math.max(mostWaitingOnLocks, await producer.waitingOnLocks());
      await sleep(50);
    }
  })();
  const send = (i: number) => client.send(JSON.stringify({ query, variables: { id: contacts[i % contacts.length], input: { notes: `${tag} ${i}` } } }));
  const onset = await openLoop({ rate: MUTATION_RATE, warmupMs: 0, durationMs: W.onsetMs, send });
  const steady = await openLoop({ rate: MUTATION_RATE, warmupMs: 0, durationMs: W.mutationMs, send });
  sampling = false;
  await sampler;
  for (const load of [onset, steady]) if (load.errors) throw new Error(`updateContact failed ${load.errors} times: ${load.firstError}`);
  return { onset: summarize(onset.latencies), latency: summarize(steady.latencies), mostWaitingOnLocks };
}

async function oneRun(adminUrl: string, r: number): Promise<Run> {
  const db = await createBenchDatabase(adminUrl);
  const receiver = await new BenchReceiver('answer').start();
  const hanging = await new BenchReceiver('hang').start();
  const producer = new EventProducer(db.url);
  const svc = await startService({
    databaseUrl: db.url,
    profile: args.profile,
    env: {
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_CONCURRENCY: String(WORKER_CONCURRENCY),
      // Short enough that attempts on a hanging receiver time out and are recorded within a phase.
      WEBHOOK_TIMEOUT: '2s',
      WEBHOOK_RETRY_SCHEDULE: '1s,2s,4s,8s',
    },
  });
  const client = new GraphQLClient(svc.url, BENCH_TOKEN, 16);
  const step = (what: string) => progress(`delivery: run ${r}/${args.runs}: ${what}`);
  try {
    await configure(client, receiver.url);
    step(`(a) commit → receiver at ${STEADY_RATE} events/s`);
    const latency = await commitToReceiver(receiver, producer);

    step(`(b) bare POST loops at concurrency ${WORKER_CONCURRENCY}: ${CLIENTS.join(', ')}`);
    const loops = {} as Run['loops'];
    for (const c of CLIENTS) loops[c] = await postLoop(c, receiver.url);
    for (const c of CLIENTS) if (loops[c].errors) progress(`  ${c}: ${loops[c].errors} errors, the first: ${loops[c].firstError}`);

    step(`(b) worker draining a backlog of about ${W.drainMs / 1000} s`);
    const drained = await drain(svc, receiver, producer);
    const sweep: SweepPoint[] = [];
    // Upward until a rate is not sustained: the drain rate is only where the search starts.
    for (const f of W.sweep) {
      const rate = Math.max(10, Math.round(drained.perSecond * f));
      step(`(b) offering ${rate} events/s`);
      const point = await offer(receiver, producer, rate);
      sweep.push(point);
      if (!point.sustained && f >= 1) break;
    }
    // Then halve the gap between the highest rate sustained and the lowest one above it, twice:
    // the fractions alone would report 0.8 of the drain rate for a worker that sustains 0.95.
    const refined: SweepPoint[] = [];
    for (let i = 0; i < REFINE_STEPS; i++) {
      const points = [...sweep, ...refined];
      const lo = Math.max(0, ...points.filter((p) => p.sustained).map((p) => p.offered));
      const hi = Math.min(...points.filter((p) => !p.sustained && p.offered > lo).map((p) => p.offered));
      if (!Number.isFinite(hi) || hi - lo < 20) break;
      const rate = Math.round((lo + hi) / 2);
      step(`(b) offering ${rate} events/s (between ${lo} and ${hi})`);
      refined.push(await offer(receiver, producer, rate));
    }
    const maxSustained = Math.max(0, ...[...sweep, ...refined].filter((p) => p.sustained).map((p) => p.achieved));

    step(`(c) updateContact at ${MUTATION_RATE}/s, healthy receiver`);
    const contacts = await seedContacts(client);
    await sleep(500);
    const mutationHealthy = await mutationLatency(client, producer, contacts, 'healthy');
    step(`(c) updateContact at ${MUTATION_RATE}/s, receiver that never answers`);
    await configure(client, hanging.url);
    const mutationHanging = await mutationLatency(client, producer, contacts, 'hanging');

    return {
      latency,
      drain: drained,
      sweep,
      maxSustained,
      loops,
      sustainedVsKy: round(maxSustained / loops.ky.perSecond, 3),
      sustainedVsKyLean: round(maxSustained / loops['ky-lean'].perSecond, 3),
      sustainedVsFetch: round(maxSustained / loops.fetch.perSecond, 3),
      kyCpuVsFetch: round(loops.ky.cpuMsPerRequest / loops.fetch.cpuMsPerRequest, 3),
      kyLeanCpuVsFetch: round(loops['ky-lean'].cpuMsPerRequest / loops.fetch.cpuMsPerRequest, 3),
      kyLeanCpuVsUndici: round(loops['ky-lean'].cpuMsPerRequest / loops.undici.cpuMsPerRequest, 3),
      mutationHealthy,
      mutationHanging,
      hangingVsHealthyP99: round(mutationHanging.latency.p99 / mutationHealthy.latency.p99, 3),
    };
  } finally {
    await client.close();
    await svc.stop();
    await producer.close();
    await hanging.stop();
    await receiver.stop();
    await db.drop();
  }
}

const server = await openPostgresServer();
const runs: Run[] = [];
try {
  for (let r = 1; r <= args.runs; r++) runs.push(await oneRun(server.adminUrl, r));
} finally {
  await server.stop();
}

const m = medianOf(runs);
const result: BenchResult = {
  bench: 'delivery',
  title: 'Webhook delivery by the service worker',
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    figure(`(a) commit → receiver p50 at ${STEADY_RATE}/s`, m.latency.total.p50, 'ms', { op: '<=', value: 10 }),
    figure(`(a) commit → receiver p99 at ${STEADY_RATE}/s`, m.latency.total.p99, 'ms', { op: '<=', value: 50 }),
    figure('(a) of which commit → attempt started, p50', m.latency.toAttempt.p50, 'ms'),
    figure('(a) of which commit → attempt started, p99', m.latency.toAttempt.p99, 'ms'),
    figure('(a) of which attempt started → arrival, p50', m.latency.attemptToArrival.p50, 'ms'),
    figure('(a) of which attempt started → arrival, p99', m.latency.attemptToArrival.p99, 'ms'),
    figure('(b) worker drain rate', m.drain.perSecond, 'deliveries/s'),
    figure('(b) worker CPU per delivery', m.drain.workerCpuMsPerDelivery, 'ms'),
    figure('(b) highest sustained rate', m.maxSustained, 'deliveries/s'),
    figure('(b) bare ky loop', m.loops.ky.perSecond, 'requests/s'),
    figure('(b) bare ky-lean loop', m.loops['ky-lean'].perSecond, 'requests/s'),
    figure('(b) bare fetch loop', m.loops.fetch.perSecond, 'requests/s'),
    figure('(b) bare undici request loop', m.loops.undici.perSecond, 'requests/s'),
    figure('(b) sustained / ky loop (same run)', m.sustainedVsKy, '×', { op: '>=', value: 0.6 }),
    figure('(b) sustained / ky-lean loop (same run)', m.sustainedVsKyLean, '×'),
    figure('(b) sustained / fetch loop (same run)', m.sustainedVsFetch, '×'),
    figure('(b) ky CPU per request', m.loops.ky.cpuMsPerRequest, 'ms'),
    figure('(b) ky-lean CPU per request', m.loops['ky-lean'].cpuMsPerRequest, 'ms'),
    figure('(b) fetch CPU per request', m.loops.fetch.cpuMsPerRequest, 'ms'),
    figure('(b) undici request CPU per request', m.loops.undici.cpuMsPerRequest, 'ms'),
    figure('(b) ky / fetch CPU (same run)', m.kyCpuVsFetch, '×'),
    figure('(b) ky-lean / fetch CPU (same run)', m.kyLeanCpuVsFetch, '×'),
    figure('(b) ky-lean / undici request CPU (same run)', m.kyLeanCpuVsUndici, '×'),
    figure(`(c) updateContact p99, healthy receiver`, m.mutationHealthy.latency.p99, 'ms'),
    figure(`(c) updateContact p99, hanging receiver`, m.mutationHanging.latency.p99, 'ms'),
    figure(`(c) updateContact p99, first ${W.onsetMs / 1000} s after the switch, healthy`, m.mutationHealthy.onset.p99, 'ms'),
    figure(`(c) updateContact p99, first ${W.onsetMs / 1000} s after the switch, hanging`, m.mutationHanging.onset.p99, 'ms'),
    figure('(c) most service connections waiting on a lock, healthy', m.mutationHealthy.mostWaitingOnLocks, ''),
    figure('(c) most service connections waiting on a lock, hanging', m.mutationHanging.mostWaitingOnLocks, ''),
    figure('(c) hanging / healthy p99 (same run)', m.hangingVsHealthyP99, '×', { op: '<=', value: 1.1 }),
  ],
  latencies: [
    { name: `commit → receiver at ${STEADY_RATE}/s`, ...m.latency.total },
    { name: 'of which commit → attempt started', ...m.latency.toAttempt },
    { name: 'of which attempt started → arrival', ...m.latency.attemptToArrival },
    { name: `updateContact at ${MUTATION_RATE}/s, healthy receiver`, ...m.mutationHealthy.latency },
    { name: `updateContact at ${MUTATION_RATE}/s, hanging receiver`, ...m.mutationHanging.latency },
    ...CLIENTS.map((c) => ({ name: `bare ${c} POST loop`, ...m.loops[c].latency })),
  ],
  curves: [{ name: 'worker deliveries', unit: 'deliveries/s', points: m.sweep.map((p) => ({ offered: p.offered, achieved: p.achieved, backlogGrew: !p.sustained })) }],
  perRun: runs,
  notes: [
    `worker concurrency ${WORKER_CONCURRENCY} (WEBHOOK_CONCURRENCY); the bare loops use the same number of callers and connections`,
    'events are written straight into the log (the SQL of src/outbox/record-event.ts); (a) takes its time right after COMMIT returns',
    `(b) offers fractions ${W.sweep.join(', ')} of the drain rate, upward until one is not sustained, then ${REFINE_STEPS} halvings of the gap; "sustained" = arrivals ≥ 95% of offered and no growing backlog`,
    `(c) updateContact in an open loop at ${MUTATION_RATE}/s; WEBHOOK_TIMEOUT=2s so that hanging attempts also end and are recorded; the p99s and their ratio are of the ${W.mutationMs / 1000} s after the first ${W.onsetMs / 1000} s (the onset, shown apart)`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
