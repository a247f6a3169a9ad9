import { performance } from 'node:perf_hooks';
import { benchArgs } from './lib/args.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { openLoop } from './lib/load.js';
import { BenchReceiver } from './lib/receiver.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, startService } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * One hot entity: `updateContact` on ONE contact over HTTP at a steady rate, with the contact
 * webhook on to a receiver on loopback that answers 200. Its deliveries must go out one at a
 * time and in commit order, so how fast one entity's queue moves is what is measured: for
 * each mutation the time to its answer (from when it was due), and for each event the time
 * from that answer (after the commit) to the webhook's arrival; and whether any webhook
 * arrived before one of an earlier change of the contact (an order violation).
 */
const args = benchArgs();
const RATE = 100;
const windows = args.quick ? { warmupMs: 500, durationMs: 2000 } : { warmupMs: 2000, durationMs: 10_000 };
/** How long the webhooks may take to catch up after the load before events count as lost. */
const SETTLE_MS = 30_000;

type Run = {
  achieved: number;
  errors: number;
  mutation: LatencySummary;
  ackToWebhook: LatencySummary;
  orderViolations: number;
  lost: number;
};

const UPDATE = 'mutation ($id: ID!, $name: String!) { updateContact(id: $id, input: { name: $name }) { id } }';

type QueuedDelivery = { id: string; event: { id: string; type: string; payload: { id?: number; name?: string } } };

/**
 * The entity's deliveries in the order they were queued (the delivery log lists the newest
 * first): the order its webhooks must arrive in. The event log's own order (events(after:))
 * is not that order for changes of one record that waited for each other's row lock.
 */
async function queued(client: GraphQLClient, entityId: string): Promise<QueuedDelivery[]> {
  const all: QueuedDelivery[] = [];
  let after: string | null = null;
  for (;;) {
    const { webhookDeliveries: page }: { webhookDeliveries: { edges: { node: QueuedDelivery }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await client.request(
        'query ($f: WebhookDeliveryFilter, $after: String) { webhookDeliveries(filter: $f, first: 500, after: $after) { edges { node { id event { id type payload } } } pageInfo { hasNextPage endCursor } } }',
        { f: { channel: 'CONTACT', entityId, eventType: 'CONTACT_UPDATED' }, after },
      );
    all.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return all.reverse();
    after = page.pageInfo.endCursor;
  }
}

async function hotEntity(databaseUrl: string): Promise<Run> {
  const receiver = await new BenchReceiver('answer').start();
  const svc = await startService({ databaseUrl, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }, profile: args.profile });
  const client = new GraphQLClient(svc.url, BENCH_TOKEN, 64);
  try {
    await client.request('mutation ($u: String) { configureWebhooks(input: { contact: { url: $u } }) { offlineMode } }', { u: receiver.url });
    const { createContact } = await client.request<{ createContact: { id: string } }>(
      'mutation { createContact(input: { name: "Hot Contact", type: CLIENT }) { id } }',
    );
    const contactId = createContact.id;
    await receiver.waitFor(1, SETTLE_MS);

    const acks = new Map<string, number>();
    const measureFrom = performance.now() + windows.warmupMs;
    progress(`  updateContact on one contact at ${RATE}/s for ${(windows.warmupMs + windows.durationMs) / 1000} s`);
    const load = await svc.profiled('hot-entity', () =>
      openLoop({
        rate: RATE,
        ...windows,
        send: async (i) => {
          const marker = `m${i}`;
          await client.send(JSON.stringify({ query: UPDATE, variables: { id: contactId, name: `Hot ${marker}` } }));
          acks.set(marker, performance.now());
        },
      }),
    );
    if (load.errors) progress(`  ${load.errors} mutations failed, the first: ${load.firstError}`);

    // Once every answer is in, every change is committed and its delivery queued.
    const mine = (await queued(client, contactId)).map((d) => d.event);
    await receiver.waitFor(receiver.received + mine.filter((e) => !receiver.arrivals.has(e.id)).length, SETTLE_MS);

    // The receiver's map keeps the order of first arrivals: a webhook that arrived before one
    // queued earlier for the contact is an order violation.
    const arrivalIndex = new Map([...receiver.arrivals.keys()].map((id, i) => [id, i]));
    let latest = -1;
    let orderViolations = 0;
    let lost = 0;
    const toWebhook: number[] = [];
    for (const e of mine) {
      const index = arrivalIndex.get(e.id);
      if (index === undefined) {
        lost++;
        continue;
      }
      if (index < latest) orderViolations++;
      latest = Math.max(latest, index);
      const marker = /\b(m\d+)$/.exec(e.payload.name ?? '')?.[1];
      const ack = marker ? acks.get(marker) : undefined;
      if (ack === undefined || ack < measureFrom) continue;
      // An answer can reach the client after the webhook reached its receiver: that leg is 0.
      toWebhook.push(Math.max(0, receiver.arrivals.get(e.id)! - ack));
    }
    return {
      achieved: round(load.completed / load.seconds, 0),
      errors: load.errors,
      mutation: summarize(load.latencies),
      ackToWebhook: summarize(toWebhook),
      orderViolations,
      lost,
    };
  } finally {
    await client.close();
    await svc.stop();
    await receiver.stop();
  }
}

const server = await openPostgresServer();
const runs: Run[] = [];
try {
  for (let r = 1; r <= args.runs; r++) {
    progress(`hot-entity: run ${r}/${args.runs}`);
    const db = await createBenchDatabase(server.adminUrl);
    try {
      runs.push(await hotEntity(db.url));
    } finally {
      await db.drop();
    }
  }
} finally {
  await server.stop();
}

const m = medianOf(runs);
const result: BenchResult = {
  bench: 'hot-entity',
  title: `One hot entity: updateContact on one contact at ${RATE}/s with its webhook on`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    figure('mutations answered', m.achieved, 'mutations/s', { op: '>=', value: RATE * 0.95 }),
    figure('mutation p50', m.mutation.p50, 'ms'),
    figure('mutation p99', m.mutation.p99, 'ms'),
    figure('answer → webhook p50', m.ackToWebhook.p50, 'ms'),
    figure('answer → webhook p99', m.ackToWebhook.p99, 'ms', { op: '<=', value: 50 }),
    figure('order violations', m.orderViolations, '', { op: '<=', value: 0 }),
    figure('events lost', m.lost, '', { op: '<=', value: 0 }),
  ],
  latencies: [
    { name: 'mutation', ...m.mutation },
    { name: 'answer → webhook', ...m.ackToWebhook },
  ],
  curves: [],
  perRun: runs,
  notes: [
    `open loop at ${RATE}/s: updateContact on one contact, its contact webhook on to a receiver on loopback answering 200; ${windows.warmupMs} ms warm-up, ${windows.durationMs} ms measured`,
    'a mutation is timed from when it was due; an event from its mutation’s answer (after the commit) to the webhook’s arrival',
    'order violations: webhooks of the contact that arrived before one queued earlier for it (the delivery log’s order)',
    `lost: an event of the contact that had not reached the receiver ${SETTLE_MS / 1000} s after the load`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
