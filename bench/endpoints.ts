import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchArgs } from './lib/args.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { MutationAcks } from './lib/acks.js';
import { MUTATIONS, eventsAfter, seedEntities, type Entities, type LoggedEvent } from './lib/entities.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { openLoop } from './lib/load.js';
import { machine } from './lib/machine.js';
import { BenchReceiver } from './lib/receiver.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, startService, type RunningService } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * Webhook endpoints (a URL with a subscription document) beside the three channels, through
 * the public API. In one run, on one service, four steps of the same load: updateContact,
 * updateFolder and exportDocument in turn over HTTP at 100 events/s over 100 entities each,
 * the channels' webhooks on (a receiver on loopback answering 200):
 *   1. no endpoint: the baseline;
 *   2. 10 endpoints whose filters choose some of the events, each to a receiver of its own:
 *      the time from a mutation's answer to the endpoint's webhook, and every delivery the
 *      filters choose (computed here from the log) arrived, and nothing else;
 *   3. no endpoint, again: the baseline of step 4, on tables as grown;
 *   4. 100 endpoints whose filters choose nothing: what they cost the mutations, the channels
 *      and the service's CPU against step 3.
 */
const args = benchArgs();
/** One event per mutation in this mix, so mutations/s is events/s. */
const RATE = 100;
const ENTITIES = 100;
const IDLE_ENDPOINTS = 100;
const windows = args.quick ? { warmupMs: 1000, durationMs: 3000 } : { warmupMs: 3000, durationMs: 10_000 };
/** How long the webhooks may take to catch up after the load before a delivery counts as lost. */
const SETTLE_MS = 30_000;
/** After everything expected arrived, how long an endpoint's receiver is watched for a delivery its filter should not have chosen. */
const GRACE_MS = 2000;
/** The clock of the receivers' arrivals and the answers: epoch milliseconds, sub-millisecond. */
const clock = () => performance.timeOrigin + performance.now();
/** Seeded confidence scores 50–99, so that a minConfidence filter chooses some documents and not others. */
const confidence = (i: number) => 50 + (i % 50);

/** The i-th request of the mix: three one-event mutations in turn, each on the next of its 100 entities. */
function request(i: number, e: Entities): { body: string; marker?: string; document?: string } {
  const k = Math.floor(i / 3) % ENTITIES;
  const marker = `m${i}`;
  switch (i % 3) {
    case 0:
      return { body: JSON.stringify({ query: MUTATIONS.updateContact, variables: { id: e.contacts[k], name: `Contact ${k} ${marker}` } }), marker };
    case 1:
      return { body: JSON.stringify({ query: MUTATIONS.updateFolder, variables: { id: e.folders[k], name: `Folder ${k} ${marker}` } }), marker };
    default:
      return { body: JSON.stringify({ query: MUTATIONS.exportDocument, variables: { id: e.documents[k] } }), document: e.documents[k] };
  }
}

/** An endpoint to create, and which events of the log its filter chooses, written here from the payloads rather than taken from the service. */
type EndpointSpec = { name: string; subscription: string; variables: Record<string, unknown>; chooses(e: LoggedEvent): boolean };

const exported = (e: LoggedEvent) => e.type === 'DOCUMENT_EXPORTED';
const contactEvent = (e: LoggedEvent) => e.type === 'CONTACT_CREATED' || e.type === 'CONTACT_UPDATED';
const folderEvent = (e: LoggedEvent) => e.type === 'FOLDER_CREATED' || e.type === 'FOLDER_UPDATED';

/** Ten endpoints, each of another filter, from a few events each (one folder's exports) to a third of them (every contact change). */
function matchingSpecs(e: Entities): EndpointSpec[] {
  const byFolder = (k: number): EndpointSpec => ({
    name: `documentExported(folderId: folder ${k})`,
    subscription: 'subscription ($f: ID) { documentExported(folderId: $f) { id status folder { id name } } }',
    variables: { f: e.folders[k] },
    chooses: (ev) => exported(ev) && ev.payload.folder_id === Number(e.folders[k]),
  });
  return [
    byFolder(0),
    byFolder(1),
    byFolder(2),
    {
      name: 'documentExported(contactId: contact 3)',
      subscription: 'subscription ($c: ID) { documentExported(contactId: $c) { id contact { name } } }',
      variables: { c: e.contacts[3] },
      chooses: (ev) => exported(ev) && ev.payload.contact_id === Number(e.contacts[3]),
    },
    {
      name: 'documentExported(minConfidence: 90)',
      subscription: 'subscription { documentExported(minConfidence: 90) { id confidenceScore confidenceLabel } }',
      variables: {},
      chooses: (ev) => exported(ev) && typeof ev.payload.confidence_score === 'number' && ev.payload.confidence_score >= 90,
    },
    {
      name: 'documentExported(docType: "Invoice", minConfidence: 75)',
      subscription: 'subscription ($t: String) { documentExported(docType: $t, minConfidence: 75) { id docType extractedFields } }',
      variables: { t: 'Invoice' },
      chooses: (ev) => exported(ev) && typeof ev.payload.confidence_score === 'number' && ev.payload.confidence_score >= 75,
    },
    {
      name: 'contactChanged(contactId: contact 5)',
      subscription: 'subscription ($c: ID) { contactChanged(contactId: $c) { id name } }',
      variables: { c: e.contacts[5] },
      chooses: (ev) => contactEvent(ev) && ev.payload.id === Number(e.contacts[5]),
    },
    {
      name: 'contactChanged (every contact)',
      subscription: 'subscription { contactChanged { id name updatedAt } }',
      variables: {},
      chooses: contactEvent,
    },
    {
      name: 'events(types: [CONTACT_UPDATED])',
      subscription: 'subscription { events(types: [CONTACT_UPDATED]) { id type payload } }',
      variables: {},
      chooses: (ev) => ev.type === 'CONTACT_UPDATED',
    },
    {
      name: 'folderChanged(folderId: folder 7)',
      subscription: 'subscription ($f: ID) { folderChanged(folderId: $f) { id name contact { id } } }',
      variables: { f: e.folders[7] },
      chooses: (ev) => folderEvent(ev) && ev.payload.id === Number(e.folders[7]),
    },
  ];
}

/** A contact and its folder that the load never touches: filters on them choose nothing, yet the materialiser tests every event against them. */
type Untouched = { contact: string; folder: string };

function idleSpecs(u: Untouched): EndpointSpec[] {
  const kinds: EndpointSpec[] = [
    { name: 'contactChanged(untouched)', subscription: 'subscription ($c: ID) { contactChanged(contactId: $c) { id name } }', variables: { c: u.contact }, chooses: () => false },
    { name: 'folderChanged(untouched)', subscription: 'subscription ($f: ID) { folderChanged(folderId: $f) { id name } }', variables: { f: u.folder }, chooses: () => false },
    { name: 'documentExported(untouched)', subscription: 'subscription ($f: ID) { documentExported(folderId: $f) { id status } }', variables: { f: u.folder }, chooses: () => false },
  ];
  return Array.from({ length: IDLE_ENDPOINTS }, (_, i) => kinds[i % kinds.length]!);
}

type Endpoint = { id: string; spec: EndpointSpec; receiver: BenchReceiver };

async function createEndpoint(client: GraphQLClient, spec: EndpointSpec, receiver: BenchReceiver): Promise<Endpoint> {
  const { createWebhookEndpoint } = await client.request<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
    'mutation ($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } signingSecret } }',
    { input: { url: receiver.url, subscription: spec.subscription, variables: spec.variables, description: spec.name } },
  );
  return { id: createWebhookEndpoint.endpoint.id, spec, receiver };
}

type Leg = LatencySummary;
type EndpointCount = { name: string; expected: number; arrived: number };
type Step = {
  achieved: number;
  errors: number;
  /** Events the load wrote (the log after the step's start). */
  events: number;
  mutation: Leg;
  ackToChannel: Leg;
  ackToEndpoint: Leg;
  channelLost: number;
  /** Deliveries the endpoints' filters chose that never arrived, and deliveries they should not have had. */
  endpointLost: number;
  endpointUnexpected: number;
  endpointDelivered: number;
  perEndpoint: EndpointCount[];
  /** Service CPU from the load's start until every webhook expected had arrived. */
  cpuMs: number;
};
type Run = {
  baseline: Step;
  matching: Step;
  /** No endpoint again, right before the idle ones: their baseline. */
  again: Step;
  idle: Step;
  mutationP99VsBaseline: number;
  channelP99VsBaseline: number;
  /** The p50s' ratios too: on a shared machine one burst of another tenant moves a step's p99, rarely its p50. */
  mutationP50VsBaseline: number;
  channelP50VsBaseline: number;
  /** µs of service CPU per (event, endpoint) of the 100 endpoints that choose nothing. */
  idleCpuUsPerEventEndpoint: number;
  /** ms of service CPU per delivery of the 10 endpoints (materialise, queue, send, record), over the baseline. */
  matchingCpuMsPerDelivery: number;
  /** The machine's 1-minute load average at the run's start and end (2 cores). */
  loadAverage: number[];
};

/** What the steps of one run share. */
type Rig = {
  svc: RunningService;
  client: GraphQLClient;
  channels: BenchReceiver;
  entities: Entities;
  /** The log's end before the step: its events are those after it. */
  cursor: string | null;
  /** Requests sent so far: markers stay unique across steps. */
  sent: number;
  /** When each mutation was answered, to match the log's events with. */
  acks: MutationAcks;
};

/**
 * The events the load wrote, one per answered mutation: the log is read until it has them all,
 * since a transaction still open on the database (the materialiser's, say) keeps the events
 * committed after it unreadable for a while, and what was not read now would count in the next step.
 */
async function readWritten(client: GraphQLClient, rig: Rig, written: number): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    const page = await eventsAfter(client, rig.cursor);
    events.push(...page.events);
    rig.cursor = page.last;
    if (events.length >= written || performance.now() > deadline) return events;
    await sleep(50);
  }
}

async function step(rig: Rig, name: string, endpoints: Endpoint[]): Promise<Step> {
  const { svc, client, channels, entities } = rig;
  const offset = rig.sent;
  const loadStart = performance.now();
  const measureFrom = performance.timeOrigin + loadStart + windows.warmupMs;
  const cpuBefore = svc.cpuMs();
  let written = 0;
  progress(`  ${name}: ${RATE} events/s for ${(windows.warmupMs + windows.durationMs) / 1000} s`);
  const load = await svc.profiled(`endpoints-${name}`, () =>
    openLoop({
      rate: RATE,
      ...windows,
      send: async (i) => {
        const r = request(offset + i, entities);
        await client.send(r.body);
        const at = clock();
        written++;
        rig.acks.answered(r, at);
      },
    }),
  );
  rig.sent += (RATE * (windows.warmupMs + windows.durationMs)) / 1000;
  if (load.errors) progress(`  ${load.errors} mutations failed, the first: ${load.firstError}`);

  const events = await readWritten(client, rig, written);
  const chosen = endpoints.map((ep) => events.filter((e) => ep.spec.chooses(e)));
  await Promise.all([
    channels.waitFor(channels.received + events.filter((e) => !channels.arrivals.has(e.id)).length, SETTLE_MS),
    // Endpoints sharing a receiver (the idle ones) are all expected to get nothing.
    ...endpoints.map((ep, i) => ep.receiver.waitFor(chosen[i]!.length, SETTLE_MS)),
  ]);
  // Every step is charged the same span: its load, the read of the log, and the webhooks' catching up.
  const cpuMs = svc.cpuMs() - cpuBefore;
  if (endpoints.length) await sleep(GRACE_MS);

  const ackOf = new Map<string, number>();
  for (const e of events) {
    const ack = rig.acks.of(e);
    if (ack !== undefined && ack >= measureFrom) ackOf.set(e.id, ack);
  }
  // An answer can reach the client after the webhook reached its receiver: that leg is 0.
  const leg = (receiver: BenchReceiver, e: LoggedEvent): number | undefined => {
    const arrived = receiver.arrivals.get(e.id);
    const ack = ackOf.get(e.id);
    return arrived === undefined || ack === undefined ? undefined : Math.max(0, performance.timeOrigin + arrived - ack);
  };
  const toChannel = events.map((e) => leg(channels, e)).filter((ms): ms is number => ms !== undefined);
  const channelLost = events.filter((e) => !channels.arrivals.has(e.id)).length;

  const toEndpoint: number[] = [];
  const perEndpoint: EndpointCount[] = [];
  for (const [i, ep] of endpoints.entries()) {
    const expected = chosen[i]!;
    const arrived = expected.filter((e) => ep.receiver.arrivals.has(e.id)).length;
    for (const e of expected) {
      const ms = leg(ep.receiver, e);
      if (ms !== undefined) toEndpoint.push(ms);
    }
    perEndpoint.push({ name: ep.spec.name, expected: expected.length, arrived });
  }
  // Per receiver, what arrived beyond what its endpoints' filters chose (the idle endpoints share one receiver).
  let endpointUnexpected = 0;
  for (const receiver of new Set(endpoints.map((ep) => ep.receiver))) {
    const expected = new Set(endpoints.flatMap((ep, i) => (ep.receiver === receiver ? chosen[i]!.map((e) => e.id) : [])));
    endpointUnexpected += [...receiver.arrivals.keys()].filter((id) => !expected.has(id)).length;
  }
  const endpointDelivered = perEndpoint.reduce((sum, c) => sum + c.arrived, 0);
  const endpointLost = perEndpoint.reduce((sum, c) => sum + c.expected - c.arrived, 0);
  if (channelLost || endpointLost || endpointUnexpected) progress(`  lost: ${channelLost} channel webhooks, ${endpointLost} endpoint deliveries; ${endpointUnexpected} endpoint deliveries no filter chose`);
  return {
    achieved: round(load.completed / load.seconds, 0),
    errors: load.errors,
    events: events.length,
    mutation: summarize(load.latencies),
    ackToChannel: summarize(toChannel),
    ackToEndpoint: summarize(toEndpoint),
    channelLost,
    endpointLost,
    endpointUnexpected,
    endpointDelivered,
    // The idle endpoints' many rows would drown the ten that say something.
    perEndpoint: endpoints.length > 10 ? [] : perEndpoint,
    cpuMs: round(cpuMs, 0),
  };
}

async function oneRun(databaseUrl: string): Promise<Run> {
  const loadAtStart = machine().loadAverage[0]!;
  const channels = await new BenchReceiver('answer').start();
  const svc = await startService({ databaseUrl, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, profile: args.profile });
  const client = new GraphQLClient(svc.url, BENCH_TOKEN, 64);
  const receivers: BenchReceiver[] = [];
  try {
    await client.request('mutation ($u: String) { configureWebhooks(input: { document: { url: $u }, contact: { url: $u }, folder: { url: $u } }) { offlineMode } }', {
      u: channels.url,
    });
    progress(`  seeding ${ENTITIES} contacts and ${ENTITIES} approved documents, and one contact the load never touches`);
    const entities = await seedEntities(client, ENTITIES, confidence);
    const { createContact: untouched } = await client.request<{ createContact: { id: string; folders: { edges: { node: { id: string } }[] } } }>(
      'mutation { createContact(input: { name: "Untouched", type: VENDOR }) { id folders(first: 1) { edges { node { id } } } } }',
    );
    const { events: seeded, last: cursor } = await eventsAfter(client, null);
    // The seed's webhooks arrive before the baseline starts, so that they do not weigh on it.
    await channels.waitFor(seeded.length, SETTLE_MS);
    const rig: Rig = { svc, client, channels, entities, cursor, sent: 0, acks: new MutationAcks() };

    // The first seconds of load after a start pay for JIT compilation and the pools' connections: not the baseline's to carry.
    await step(rig, 'warm-up', []);
    const baseline = await step(rig, 'baseline', []);

    const matching: Endpoint[] = [];
    for (const spec of matchingSpecs(entities)) {
      const receiver = await new BenchReceiver('answer').start();
      receivers.push(receiver);
      matching.push(await createEndpoint(client, spec, receiver));
    }
    const withMatching = await step(rig, '10 endpoints', matching);
    // Step 3 measures endpoints that choose nothing, alone: the ten go (their deliveries are all in).
    for (const ep of matching) await client.request('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: ep.id });

    // The idle endpoints are compared with a baseline measured just before them, in the same state
    // of the database (the log and the delivery log grown by the steps before): the first baseline
    // ran on smaller tables, and a later step would be charged for that.
    const again = await step(rig, 'no endpoint, again', []);
    const idleReceiver = await new BenchReceiver('answer').start();
    receivers.push(idleReceiver);
    const idle: Endpoint[] = [];
    for (const spec of idleSpecs({ contact: untouched.id, folder: untouched.folders.edges[0]!.node.id })) idle.push(await createEndpoint(client, spec, idleReceiver));
    const withIdle = await step(rig, `${IDLE_ENDPOINTS} idle endpoints`, idle);

    const perEvent = (s: Step) => s.cpuMs / Math.max(1, s.events);
    return {
      baseline,
      matching: withMatching,
      again,
      idle: withIdle,
      mutationP99VsBaseline: round(withIdle.mutation.p99 / again.mutation.p99, 3),
      channelP99VsBaseline: round(withIdle.ackToChannel.p99 / again.ackToChannel.p99, 3),
      mutationP50VsBaseline: round(withIdle.mutation.p50 / again.mutation.p50, 3),
      channelP50VsBaseline: round(withIdle.ackToChannel.p50 / again.ackToChannel.p50, 3),
      // Per event rather than per step, so that a step that wrote a few events more is not charged for them.
      idleCpuUsPerEventEndpoint: round(((perEvent(withIdle) - perEvent(again)) / IDLE_ENDPOINTS) * 1000, 2),
      matchingCpuMsPerDelivery: round(((perEvent(withMatching) - perEvent(baseline)) * withMatching.events) / Math.max(1, withMatching.endpointDelivered), 3),
      loadAverage: [loadAtStart, machine().loadAverage[0]!],
    };
  } finally {
    await client.close();
    await svc.stop();
    await channels.stop();
    for (const receiver of receivers) await receiver.stop();
  }
}

const server = await openPostgresServer();
const runs: Run[] = [];
try {
  for (let r = 1; r <= args.runs; r++) {
    progress(`endpoints: run ${r}/${args.runs}`);
    const db = await createBenchDatabase(server.adminUrl);
    try {
      runs.push(await oneRun(db.url));
    } finally {
      await db.drop();
    }
  }
} finally {
  await server.stop();
}

const m = medianOf(runs);
const { baseline: b, matching: w, idle: z } = m;
const lost = (s: Step) => s.channelLost + s.endpointLost;
const result: BenchResult = {
  bench: 'endpoints',
  title: `Webhook endpoints beside the channels: ${RATE} events/s with none, 10 that choose some events, ${IDLE_ENDPOINTS} that choose none`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    figure('no endpoint: mutations answered', b.achieved, 'mutations/s'),
    figure('no endpoint: mutation p50', b.mutation.p50, 'ms'),
    figure('no endpoint: mutation p99', b.mutation.p99, 'ms'),
    figure('no endpoint: answer → channel p50', b.ackToChannel.p50, 'ms'),
    figure('no endpoint: answer → channel p99', b.ackToChannel.p99, 'ms'),
    figure('no endpoint: service CPU', round(b.cpuMs / Math.max(1, b.events), 2), 'ms/event'),
    figure('no endpoint again: mutation p99', m.again.mutation.p99, 'ms'),
    figure('no endpoint again: answer → channel p99', m.again.ackToChannel.p99, 'ms'),
    figure('10 endpoints: mutation p50', w.mutation.p50, 'ms'),
    figure('10 endpoints: mutation p99', w.mutation.p99, 'ms'),
    figure('10 endpoints: answer → channel p99', w.ackToChannel.p99, 'ms'),
    figure('10 endpoints: answer → endpoint p50', w.ackToEndpoint.p50, 'ms'),
    figure('10 endpoints: answer → endpoint p99', w.ackToEndpoint.p99, 'ms', { op: '<=', value: 50 }),
    figure('10 endpoints: deliveries their filters chose', w.endpointDelivered + w.endpointLost, ''),
    figure('10 endpoints: deliveries lost', w.endpointLost, '', { op: '<=', value: 0 }),
    figure('10 endpoints: deliveries no filter chose', w.endpointUnexpected, '', { op: '<=', value: 0 }),
    figure('10 endpoints: service CPU per endpoint delivery, over the baseline', m.matchingCpuMsPerDelivery, 'ms'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: mutation p50`, z.mutation.p50, 'ms'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: mutation p99`, z.mutation.p99, 'ms'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: answer → channel p50`, z.ackToChannel.p50, 'ms'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: answer → channel p99`, z.ackToChannel.p99, 'ms'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: mutation p99 / no endpoint again (same run)`, m.mutationP99VsBaseline, '×', { op: '<=', value: 1.1 }),
    figure(`${IDLE_ENDPOINTS} idle endpoints: answer → channel p99 / no endpoint again (same run)`, m.channelP99VsBaseline, '×', { op: '<=', value: 1.1 }),
    figure(`${IDLE_ENDPOINTS} idle endpoints: mutation p50 / no endpoint again (same run)`, m.mutationP50VsBaseline, '×'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: answer → channel p50 / no endpoint again (same run)`, m.channelP50VsBaseline, '×'),
    figure(`${IDLE_ENDPOINTS} idle endpoints: deliveries (none chosen)`, z.endpointUnexpected, '', { op: '<=', value: 0 }),
    figure(`${IDLE_ENDPOINTS} idle endpoints: service CPU`, round(z.cpuMs / Math.max(1, z.events), 2), 'ms/event'),
    figure('materialisation CPU per (event, endpoint) that chooses nothing', m.idleCpuUsPerEventEndpoint, 'µs'),
    figure('channel webhooks and endpoint deliveries lost, all steps', lost(b) + lost(w) + lost(m.again) + lost(z), '', { op: '<=', value: 0 }),
  ],
  latencies: [
    { name: 'no endpoint: mutation', ...b.mutation },
    { name: 'no endpoint: answer → channel', ...b.ackToChannel },
    { name: '10 endpoints: mutation', ...w.mutation },
    { name: '10 endpoints: answer → endpoint', ...w.ackToEndpoint },
    { name: `${IDLE_ENDPOINTS} idle: mutation`, ...z.mutation },
    { name: `${IDLE_ENDPOINTS} idle: answer → channel`, ...z.ackToChannel },
  ],
  curves: [],
  perRun: runs,
  notes: [
    `open loop at ${RATE}/s: updateContact, updateFolder and exportDocument in turn (one event each) over ${ENTITIES} entities each, the three channels' webhooks on; an unmeasured warm-up of the same load, then four steps in this order on one service per run (no endpoint, 10 endpoints, no endpoint again, 100 idle endpoints), each ${windows.warmupMs} ms warm-up and ${windows.durationMs} ms measured`,
    '10 endpoints: documentExported by folder (3), by contact, minConfidence 90 (seeded scores 50–99), docType + minConfidence 75; contactChanged of one contact and of all; events(types: [CONTACT_UPDATED]); folderChanged of one folder; each to a receiver of its own. Expected deliveries are computed here from the log’s payloads',
    `${IDLE_ENDPOINTS} idle endpoints: contactChanged, folderChanged and documentExported of a contact and folder the load never touches, all to one receiver that should get nothing; the 10 are deleted before this step`,
    'a mutation is timed from when it was due; a webhook from its mutation’s answer (after the commit) to its arrival at the receiver',
    'the idle endpoints’ ratios and CPU are against the step right before them (no endpoint, again), on tables the earlier steps grew as much',
    'service CPU of a step: from the load’s start until every webhook and delivery expected had arrived; materialisation CPU per (event, endpoint) = (CPU per event with the idle endpoints − CPU per event without, again) / ' +
      `${IDLE_ENDPOINTS}, within each run, then the median; it charges the endpoints everything they cost the service (lock, read, filter, cursor update), not the filter alone`,
    `1-minute load average of the 2-core machine at each run's start and end: ${runs.map((r) => r.loadAverage.join('→')).join(', ')}`,
    `lost: a chosen event that had not reached its receiver ${SETTLE_MS / 1000} s after the load; unexpected: a delivery that arrived at an endpoint whose filter does not choose it (watched ${GRACE_MS / 1000} s more)`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
