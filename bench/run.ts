import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/children.js';
import { openPostgresServer } from './lib/database.js';
import { machine, type Machine } from './lib/machine.js';
import { formatFigure, formatTarget, progress, table, writeJson, type BenchResult } from './lib/report.js';
import { latencyChart, throughputChart } from './lib/svg.js';

/**
 * Runs every benchmark of the project, each in a process of its own with `--json <file>`,
 * against one PostgreSQL (BENCH_DATABASE_URL, DATABASE_URL, the local server, or an embedded
 * one started here), and writes bench/results/latest.json and latest.md with SVG charts.
 *
 *   npm run bench                   every figure the median of 3 runs
 *   npm run bench -- --runs 5
 *   npm run bench -- --quick        one short run of each: does it all still work?
 *   npm run bench -- --only api     some benchmarks only (comma-separated)
 *   npm run bench -- --profile      each service under test profiled (bench/results/profiles/)
 *
 * A benchmark is bench/<name>.ts taking `--runs N [--quick] [--profile] --json <file>` and writing a
 * BenchResult (bench/lib/report.ts); one that is absent is skipped.
 */
const BENCHES = ['api', 'flow', 'hot-entity', 'delivery', 'subscriptions', 'endpoints', 'overview'] as const;
const RESULTS = path.join(ROOT, 'bench/results');

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, quick: { type: 'boolean', default: false }, only: { type: 'string' }, profile: { type: 'boolean', default: false } },
});
const runs = values.quick ? 1 : Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs} is not a positive integer`);
const only = values.only?.split(',').map((s) => s.trim());
const selected = BENCHES.filter((b) => (!only || only.includes(b)) && existsSync(path.join(ROOT, `bench/${b}.ts`)));

type Outcome = { bench: string; seconds: number; result?: BenchResult; error?: string };

function runBench(name: string, env: Record<string, string>, index: number): Promise<Outcome> {
  const jsonFile = path.join(tmpdir(), `bench-${name}-${process.pid}.json`);
  const started = Date.now();
  const args = ['--import', 'tsx', `bench/${name}.ts`, '--runs', String(runs), '--json', jsonFile, ...(values.quick ? ['--quick'] : []), ...(values.profile ? ['--profile'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stderrTail = `${stderrTail}${line}\n`.slice(-6000);
      // The benchmarks' own progress lines carry a [hh:mm:ss] stamp; show those, keep the rest for errors.
      if (/^\[\d\d:\d\d:\d\d\] /.test(line)) process.stderr.write(`(${index}/${selected.length}) ${line.slice(11)}\n`);
    }
  });
  child.stdout.resume();
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      if (code !== 0 || !existsSync(jsonFile)) {
        resolve({ bench: name, seconds, error: `exited with ${code}:\n${stderrTail}` });
        return;
      }
      const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchResult;
      rmSync(jsonFile, { force: true });
      resolve({ bench: name, seconds, result });
    });
  });
}

function markdown(outcomes: Outcome[], host: Machine & { postgres: string }, startedAt: Date, seconds: number, loadAtEnd: number[]): string {
  const lines = [
    '# Benchmark results',
    '',
    `${startedAt.toISOString()}, ${Math.round(seconds / 6) / 10} min; every figure is the median of ${runs} run${runs > 1 ? 's' : ''}${values.quick ? ' (quick: short windows, not figures to quote)' : ''}; ratios are taken within each run, then their median.`,
    '',
    '| machine | |',
    '| --- | --- |',
    `| CPU | ${host.cpu}, ${host.cores} cores |`,
    `| memory | ${host.memoryGiB} GiB |`,
    `| Node | ${host.node} |`,
    `| PostgreSQL | ${host.postgres} |`,
    `| kernel | ${host.kernel} |`,
    `| load average (1, 5, 15 min) | ${host.loadAverage.join(', ')} at the start, ${loadAtEnd.join(', ')} at the end |`,
    '',
  ];
  for (const o of outcomes) {
    lines.push(`## ${o.bench}${o.result ? `: ${o.result.title}` : ''}`, '');
    if (!o.result) {
      lines.push('Failed:', '', '```', o.error ?? '', '```', '');
      continue;
    }
    const figures = o.result.figures ?? [];
    if (figures.length) {
      lines.push('| figure | median | target |', '| --- | ---: | --- |');
      for (const f of figures) lines.push(`| ${f.name} | ${formatFigure(f)} | ${formatTarget(f)} |`);
      lines.push('');
    }
    if (o.result.latencies?.length) lines.push(`![latency percentiles of ${o.bench}](${o.bench}-latency.svg)`, '');
    if (o.result.curves?.length) lines.push(`![throughput against offered load of ${o.bench}](${o.bench}-throughput.svg)`, '');
    for (const note of o.result.notes ?? []) lines.push(`- ${note}`);
    lines.push('', `(${o.seconds} s)`, '');
  }
  return `${lines.join('\n')}\n`;
}

const startedAt = new Date();
const host = machine();
const server = await openPostgresServer();
const outcomes: Outcome[] = [];
try {
  progress(`bench: ${selected.join(', ')}; median of ${runs} run(s)${values.quick ? ', quick' : ''}; PostgreSQL ${server.version} (${server.kind}); load average ${host.loadAverage.join(', ')}`);
  for (const [i, name] of selected.entries()) {
    progress(`(${i + 1}/${selected.length}) ${name}`);
    const outcome = await runBench(name, { BENCH_DATABASE_URL: server.adminUrl }, i + 1);
    progress(`(${i + 1}/${selected.length}) ${name} ${outcome.result ? 'done' : 'FAILED'} in ${outcome.seconds} s`);
    outcomes.push(outcome);
  }
} finally {
  await server.stop();
}

const seconds = (Date.now() - startedAt.getTime()) / 1000;
const hostWithPg = { ...host, postgres: `${server.version} (${server.kind})` };
const loadAtEnd = machine().loadAverage;
mkdirSync(RESULTS, { recursive: true });
writeJson(path.join(RESULTS, 'latest.json'), { startedAt: startedAt.toISOString(), seconds: Math.round(seconds), runs, quick: values.quick, machine: hostWithPg, loadAverageAtEnd: loadAtEnd, results: outcomes });
for (const o of outcomes) {
  if (o.result?.latencies?.length) writeFileSync(path.join(RESULTS, `${o.bench}-latency.svg`), latencyChart(`${o.bench}: latency percentiles`, o.result.latencies));
  if (o.result?.curves?.length) writeFileSync(path.join(RESULTS, `${o.bench}-throughput.svg`), throughputChart(`${o.bench}: throughput against offered load`, o.result.curves));
}
writeFileSync(path.join(RESULTS, 'latest.md'), markdown(outcomes, hostWithPg, startedAt, seconds, loadAtEnd));

const rows = [['benchmark', 'figure', 'median', 'target']];
for (const o of outcomes) {
  if (!o.result) rows.push([o.bench, 'FAILED', '', '']);
  for (const f of o.result?.figures ?? []) rows.push([o.bench, f.name, formatFigure(f), formatTarget(f)]);
}
process.stdout.write(`\n${table(rows)}\n\n${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, PostgreSQL ${hostWithPg.postgres}\n`);
process.stdout.write(`bench/results/latest.md and latest.json written (${Math.round(seconds)} s)\n`);
if (outcomes.some((o) => !o.result)) process.exitCode = 1;
