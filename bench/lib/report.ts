import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Target = { op: '>=' | '<='; value: number };

/** One figure as printed: a median over the runs, with its target when it has one. */
export type Figure = { name: string; value: number; unit: string; target?: Target; pass?: boolean; note?: string };

export type LatencySeries = { name: string; p50: number; p90: number; p99: number; max?: number };

export type ThroughputCurve = { name: string; unit: string; points: { offered: number; achieved: number; backlogGrew?: boolean }[] };

/** What every benchmark prints and writes with --json, and what bench/run.ts gathers. */
export type BenchResult = {
  bench: string;
  title: string;
  runs: number;
  quick: boolean;
  postgres: { kind: string; version: string };
  figures: Figure[];
  latencies: LatencySeries[];
  curves: ThroughputCurve[];
  /** Each run's raw figures, for whoever wants to see the spread behind a median. */
  perRun: unknown[];
  notes: string[];
};

export function figure(name: string, value: number, unit: string, target?: Target, note?: string): Figure {
  const pass = target === undefined ? undefined : target.op === '>=' ? value >= target.value : value <= target.value;
  return { name, value, unit, ...(target && { target, pass }), ...(note && { note }) };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatFigure(f: Figure): string {
  return `${format(f.value)}${f.unit ? ` ${f.unit}` : ''}`;
}

export function formatTarget(f: Figure): string {
  if (!f.target) return '';
  return `${f.target.op === '>=' ? '≥' : '≤'} ${format(f.target.value)}${f.unit ? ` ${f.unit}` : ''} ${f.pass ? 'met' : 'MISSED'}`;
}

/** A plain-text table whose columns line up. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function printResult(result: BenchResult): void {
  const rows = [['figure', 'median', 'target'], ...result.figures.map((f) => [f.name, formatFigure(f), formatTarget(f)])];
  process.stdout.write(`\n${result.title} (median of ${result.runs} run${result.runs > 1 ? 's' : ''}${result.quick ? ', quick' : ''}; PostgreSQL ${result.postgres.version} ${result.postgres.kind})\n`);
  process.stdout.write(`${table(rows)}\n`);
  for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Progress goes to stderr, so that stdout carries only the figures. */
export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
