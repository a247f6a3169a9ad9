/** Percentiles and medians of the figures a benchmark prints. */

export type LatencySummary = { count: number; mean: number; p50: number; p90: number; p99: number; max: number };

/** The p-th percentile (0–100) of ascending values, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/**
 * The median, figure by figure, of several runs' results of the same shape: numbers are
 * replaced by their median across runs, objects and arrays are walked (an array as far as
 * every run reaches: a sweep that stops early stops the median), anything else is taken from
 * the first run.
 */
export function medianOf<T>(runs: readonly T[]): T {
  const first = runs[0];
  if (typeof first === 'number') return round(median(runs as readonly number[])) as T;
  if (Array.isArray(first)) {
    const length = Math.min(...runs.map((r) => (r as unknown[]).length));
    return first.slice(0, length).map((_, i) => medianOf(runs.map((r) => (r as unknown[])[i]))) as T;
  }
  if (first && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((key) => [key, medianOf(runs.map((r) => (r as Record<string, unknown>)[key]))])) as T;
  }
  return first as T;
}

/** Three significant decimals are more than a noisy machine can vouch for. */
export function round(value: number, decimals = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
