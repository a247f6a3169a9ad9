import { benchArgs } from './lib/args.js';
import { freePort } from './lib/children.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { closedLoop } from './lib/load.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, startProfiledNode, startService, type ProfiledChild } from './lib/service.js';
import { medianOf, round, summarize, type LatencySummary } from './lib/stats.js';

/**
 * Mutations per second and latency of the real service at a fixed concurrency, beside a bare
 * Apollo Server on the same HTTP stack measured in the same run: the service's own cost is
 * the difference.
 */
const CONCURRENCY = 32;
const DOCUMENTS = 128;

const args = benchArgs();
const windows = args.quick ? { warmupMs: 500, durationMs: 1500 } : { warmupMs: 4000, durationMs: 5000 };

type Measured = { perSecond: number; latency: LatencySummary; cpuMsPerRequest: number; errors: number };
type Run = { bare: Measured; createContact: Measured; updateDocument: Measured; updateDocumentVsBare: number; createContactVsBare: number };


/** Runs a closed loop against a process and charges it the CPU that process used meanwhile. */
async function drive(child: ProfiledChild, name: string, send: (i: number) => Promise<void>): Promise<Measured> {
  const cpuBefore = child.cpuMs();
  const started = performance.now();
  const load = await child.profiled(name, () => closedLoop({ concurrency: CONCURRENCY, ...windows, send }));
  const elapsed = performance.now() - started;
  const cpu = child.cpuMs() - cpuBefore;
  // The CPU counter spans warm-up and window; charge it per request over the whole span.
  const requests = ((load.completed / load.seconds) * elapsed) / 1000;
  if (load.errors > 0) progress(`  ${load.errors} errors, the first: ${load.firstError}`);
  return {
    perSecond: round(load.completed / load.seconds, 0),
    latency: summarize(load.latencies),
    cpuMsPerRequest: round(cpu / Math.max(1, requests), 3),
    errors: load.errors,
  };
}

async function bareApollo(): Promise<Measured> {
  const port = await freePort();
  const child = await startProfiledNode('bench/servers/bare-apollo.ts', {
    // Node's own type stripping: no module hooks, as the service runs from its build.
    loader: 'node',
    env: { PORT: String(port) },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    profile: args.profile,
  });
  try {
    const client = new GraphQLClient(`http://127.0.0.1:${port}`, BENCH_TOKEN, CONCURRENCY);
    const query = 'mutation Touch($id: ID!, $input: TouchInput!) { touch(id: $id, input: $input) { id aiSummary updatedAt } }';
    const result = await drive(child, 'api-bare-apollo', (i) => client.send(JSON.stringify({ query, variables: { id: String(i % DOCUMENTS), input: { aiSummary: `summary ${i}` } } })));
    await client.close();
    return result;
  } finally {
    await child.stop();
  }
}

async function seedDocuments(client: GraphQLClient): Promise<string[]> {
  const { createContact } = await client.request<{ createContact: { folders: { edges: { node: { id: string } }[] } } }>(
    'mutation { createContact(input: { name: "Bench Ltd", type: VENDOR }) { folders(first: 1) { edges { node { id } } } } }',
  );
  const folderId = createContact.folders.edges[0]!.node.id;
  const ids: string[] = [];
  for (let i = 0; i < DOCUMENTS; i += 32) {
    const batch = await Promise.all(
      Array.from({ length: 32 }, (_, j) =>
        client.request<{ createDocument: { id: string } }>('mutation ($input: CreateDocumentInput!) { createDocument(input: $input) { id } }', {
          input: { folderId, filename: `invoice-${i + j}.pdf` },
        }),
      ),
    );
    ids.push(...batch.map((r) => r.createDocument.id));
  }
  return ids;
}

async function service(databaseUrl: string): Promise<Pick<Run, 'createContact' | 'updateDocument'>> {
  const svc = await startService({ databaseUrl, profile: args.profile });
  const client = new GraphQLClient(svc.url, BENCH_TOKEN, CONCURRENCY);
  try {
    const documents = await seedDocuments(client);
    progress('  createContact');
    const createQuery = 'mutation ($input: CreateContactInput!) { createContact(input: $input) { id name } }';
    const createContact = await drive(svc, 'api-createContact', (i) =>
      client.send(JSON.stringify({ query: createQuery, variables: { input: { name: `Contact ${i}`, type: 'CLIENT', email: `c${i}@example.com` } } })),
    );
    progress('  updateDocument');
    const updateQuery = 'mutation ($id: ID!, $input: UpdateDocumentInput!) { updateDocument(id: $id, input: $input) { id aiSummary updatedAt } }';
    const updateDocument = await drive(svc, 'api-updateDocument', (i) =>
      client.send(JSON.stringify({ query: updateQuery, variables: { id: documents[i % documents.length], input: { aiSummary: `summary ${i}`, docType: 'Invoice' } } })),
    );
    return { createContact, updateDocument };
  } finally {
    await client.close();
    await svc.stop();
  }
}

const server = await openPostgresServer();
const runs: Run[] = [];
try {
  for (let r = 1; r <= args.runs; r++) {
    progress(`api: run ${r}/${args.runs}: bare Apollo Server`);
    const bare = await bareApollo();
    progress(`api: run ${r}/${args.runs}: service`);
    const db = await createBenchDatabase(server.adminUrl);
    try {
      const svc = await service(db.url);
      runs.push({
        bare,
        ...svc,
        updateDocumentVsBare: round(svc.updateDocument.perSecond / bare.perSecond, 3),
        createContactVsBare: round(svc.createContact.perSecond / bare.perSecond, 3),
      });
    } finally {
      await db.drop();
    }
  }
} finally {
  await server.stop();
}

const m = medianOf(runs);
const result: BenchResult = {
  bench: 'api',
  title: `GraphQL mutations at concurrency ${CONCURRENCY}`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    figure('updateDocument', m.updateDocument.perSecond, 'mutations/s', { op: '>=', value: 1000 }),
    figure('updateDocument p50', m.updateDocument.latency.p50, 'ms'),
    figure('updateDocument p99', m.updateDocument.latency.p99, 'ms', { op: '<=', value: 50 }),
    figure('updateDocument service CPU', m.updateDocument.cpuMsPerRequest, 'ms/request'),
    figure('createContact', m.createContact.perSecond, 'mutations/s'),
    figure('createContact p50', m.createContact.latency.p50, 'ms'),
    figure('createContact p99', m.createContact.latency.p99, 'ms'),
    figure('createContact service CPU', m.createContact.cpuMsPerRequest, 'ms/request'),
    figure('bare Apollo mutation', m.bare.perSecond, 'mutations/s'),
    figure('bare Apollo p50', m.bare.latency.p50, 'ms'),
    figure('bare Apollo p99', m.bare.latency.p99, 'ms'),
    figure('bare Apollo CPU', m.bare.cpuMsPerRequest, 'ms/request'),
    figure('updateDocument / bare (same run)', m.updateDocumentVsBare, '×'),
    figure('createContact / bare (same run)', m.createContactVsBare, '×'),
  ],
  latencies: [
    { name: 'bare Apollo mutation', ...m.bare.latency },
    { name: 'createContact', ...m.createContact.latency },
    { name: 'updateDocument', ...m.updateDocument.latency },
  ],
  curves: [],
  perRun: runs,
  notes: [
    `closed loop of ${CONCURRENCY} callers on keep-alive connections; ${windows.warmupMs} ms warm-up, ${windows.durationMs} ms measured`,
    `updateDocument spreads over ${DOCUMENTS} documents, so the row lock orders only the rare collisions`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
