import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { createSqlPool } from '../src/db/sql-pool.js';
import { webhookOverview } from '../src/webhooks/overview.js';
import { benchArgs } from './lib/args.js';
import { createBenchDatabase, openPostgresServer } from './lib/database.js';
import { GraphQLClient } from './lib/graphql-client.js';
import { machine } from './lib/machine.js';
import { figure, printResult, progress, writeJson, type BenchResult } from './lib/report.js';
import { BENCH_TOKEN, startService } from './lib/service.js';
import { median, round } from './lib/stats.js';

/**
 * The console's overview query (webhookOverview, one statement) on a delivery log of a million
 * attempts: seeded with generate_series straight into the tables, one attempt per delivery,
 * spread evenly over the last SPAN_HOURS, so that the overview's hour holds its share of them
 * (41,667 at a million over 24 h). 1 % of the deliveries wait (the backlog the query counts),
 * 2 % failed. The query is timed warm as the console sends it: its own GraphQL document over
 * HTTP to the service (a 60-minute window), QUERIES times per run; and, as the baseline of the
 * same run, the statement alone on a pg pool (what the API adds is the difference). Each run's
 * figure is its median, the result the median of the runs.
 *
 * The tables are analysed, not vacuumed, and autovacuum is off for them: in production the
 * newest pages of the log, those the overview reads, are seldom all-visible yet (autovacuum
 * comes to an insert-only table after a fifth of it is new), so the index holding what the
 * overview reads still sends it to the table for each attempt. BENCH_OVERVIEW_VACUUM=1
 * vacuums them instead: the best case, where the window is read from the index alone.
 *
 *   npm run bench:overview                      a million attempts
 *   BENCH_OVERVIEW_ROWS=20000 npm run bench:overview -- --quick
 *   BENCH_OVERVIEW_VACUUM=1 npm run bench:overview
 */
const args = benchArgs();
const ROWS = Number(process.env.BENCH_OVERVIEW_ROWS ?? (args.quick ? 20_000 : 1_000_000));
const SPAN_HOURS = 24;
const QUERIES = args.quick ? 5 : 21;
const BUDGET_MS = 100;
const VACUUM = process.env.BENCH_OVERVIEW_VACUUM === '1';
if (!Number.isInteger(ROWS) || ROWS < 100) throw new Error(`BENCH_OVERVIEW_ROWS ${process.env.BENCH_OVERVIEW_ROWS} is not a whole number of at least 100`);

const TABLES = ['events', 'webhook_deliveries', 'webhook_attempts'];

/** The console's Overview page's query (console/src/pages/overview.tsx), field for field. */
const CONSOLE_QUERY = `query WebhookOverview($windowMinutes: Int) {
  webhookOverview(windowMinutes: $windowMinutes) {
    from to
    targets { channel endpoint { id description } url enabled failingSince consecutiveFailures succeeded failed successRate latencyP50Ms latencyP99Ms pending oldestPendingAt }
    minutes { at succeeded failed latencyP50Ms latencyP99Ms }
  }
}`;
type Answer = { webhookOverview: { targets: { succeeded: number; failed: number }[] } };

/** Each of QUERIES timings of `query`, after one untimed: its median and p90, in ms. */
async function timed<T>(query: () => Promise<T>): Promise<{ medianMs: number; p90Ms: number; last: T }> {
  let last = await query();
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    last = await query();
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: round(median(times), 1), p90Ms: round(sorted[Math.floor(sorted.length * 0.9)]!, 1), last };
}

/** Events (four deliveries each), deliveries over the three channels, and one attempt per delivery. */
const SEED = [
  ...(VACUUM ? [] : TABLES.map((table) => `alter table ${table} set (autovacuum_enabled = off)`)),
  `insert into events (type, channel, entity_id, payload, occurred_at)
   select 'contact.updated', 'CONTACT', g % 1000 + 1, '{}'::json, now() - make_interval(secs => $2 * 3600 * (1 - g::float8 / $1))
   from generate_series(1, ceil($1 / 4.0)::int) g`,
  `insert into webhook_deliveries (event_seq, channel, entity_id, status, attempt_count, next_attempt_at, created_at, completed_at)
   select e.min_seq + (g - 1) / 4, (array['DOCUMENT', 'CONTACT', 'FOLDER'])[g % 3 + 1], g % 1000 + 1,
     case when g % 100 = 0 then 'PENDING' when g % 50 = 1 then 'FAILED' else 'SUCCEEDED' end,
     1, now() + interval '1 hour', at, case when g % 100 = 0 then null else at end
   from (select min(seq) as min_seq from events) e,
     generate_series(1, $1) g,
     lateral (select now() - make_interval(secs => $2 * 3600 * (1 - g::float8 / $1)) as at) t`,
  `insert into webhook_attempts (delivery_id, channel, started_at, duration_ms, http_status, ok)
   select d.id, d.channel, d.created_at, 5 + (d.id % 200)::int, case when d.status = 'SUCCEEDED' then 200 else 500 end, d.status = 'SUCCEEDED'
   from webhook_deliveries d`,
  ...TABLES.map((table) => `${VACUUM ? 'vacuum analyze' : 'analyze'} ${table}`),
];

const server = await openPostgresServer();
const runs: { medianMs: number; p90Ms: number; statementMs: number; inWindow: number }[] = [];
try {
  for (let run = 1; run <= args.runs; run++) {
    const db = await createBenchDatabase(server.adminUrl);
    const sql = createSqlPool(db.url, 2, pino({ level: 'warn' }), 'bench-overview');
    try {
      progress(`run ${run}/${args.runs}: seeding ${ROWS.toLocaleString('en')} deliveries and attempts over ${SPAN_HOURS} h`);
      const seeded = performance.now();
      // Seeding a million rows takes longer than the service's own bound on a statement (DATABASE_TIMEOUT): a plain client of its own.
      const seeder = new pg.Client({ connectionString: db.url });
      await seeder.connect();
      try {
        for (const statement of SEED) await seeder.query(statement, statement.includes('$1') ? [ROWS, SPAN_HOURS] : []);
      } finally {
        await seeder.end();
      }
      progress(`run ${run}/${args.runs}: seeded in ${round((performance.now() - seeded) / 1000, 1)} s; timing ${QUERIES} overview queries over HTTP, then the statement alone`);
      const svc = await startService({ databaseUrl: db.url });
      const client = new GraphQLClient(svc.url, BENCH_TOKEN, 1);
      let api: Awaited<ReturnType<typeof timed<Answer>>>;
      try {
        api = await timed(() => client.request<Answer>(CONSOLE_QUERY, { windowMinutes: 60 }));
      } finally {
        await client.close();
        await svc.stop();
      }
      const statement = await timed(() => webhookOverview(sql, 60));
      const inWindow = api.last.webhookOverview.targets.reduce((sum, t) => sum + t.succeeded + t.failed, 0);
      runs.push({ medianMs: api.medianMs, p90Ms: api.p90Ms, statementMs: statement.medianMs, inWindow });
      progress(`run ${run}/${args.runs}: median ${api.medianMs} ms over HTTP (the statement alone ${statement.medianMs} ms) over ${inWindow.toLocaleString('en')} attempts in the window`);
    } finally {
      await sql.end();
      await db.drop();
    }
  }
} finally {
  await server.stop();
}

const host = machine();
const result: BenchResult = {
  bench: 'overview',
  title: `The console's overview query on ${ROWS.toLocaleString('en')} delivery attempts`,
  runs: args.runs,
  quick: args.quick,
  postgres: { kind: server.kind, version: server.version },
  figures: [
    figure('webhookOverview(60 min) over HTTP, median', median(runs.map((r) => r.medianMs)), 'ms', { op: '<=', value: BUDGET_MS }),
    figure('webhookOverview(60 min) over HTTP, p90 of a run', median(runs.map((r) => r.p90Ms)), 'ms'),
    figure('the statement alone on a pg pool (same run), median', median(runs.map((r) => r.statementMs)), 'ms'),
    figure('attempts in the window', median(runs.map((r) => r.inWindow)), ''),
  ],
  latencies: [],
  curves: [],
  perRun: runs,
  notes: [
    `${ROWS.toLocaleString('en')} deliveries with one attempt each, evenly over the last ${SPAN_HOURS} h across the three channels; 1 % waiting, 2 % failed; seeded with generate_series, then ${VACUUM ? 'vacuumed and analysed (BENCH_OVERVIEW_VACUUM=1: every page all-visible)' : 'analysed, not vacuumed (autovacuum off for the tables: no page all-visible)'}`,
    `the console's query over HTTP to the service (built, as bench/lib/service.ts runs it), warm, then the statement alone (src/webhooks/overview.ts) on a pg pool: ${QUERIES} of each per run, the run's median, then the median of the runs`,
    `machine: ${host.cpu}, ${host.cores} cores; load average at the end ${host.loadAverage.join(', ')}`,
  ],
};
printResult(result);
if (args.json) writeJson(args.json, result);
