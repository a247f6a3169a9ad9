/**
 * Garbage collection in the service under test, from its own `/metrics` (prom-client's
 * `nodejs_gc_duration_seconds`, by kind): major collections (mark-compact) are what stop
 * every request in flight for tens to hundreds of milliseconds once the old generation fills.
 */
export type GcReading = { majorCollections: number; pauseMs: number };

/** The sums over the given services since they started. */
export async function readGc(serviceUrls: readonly string[]): Promise<GcReading> {
  const total: GcReading = { majorCollections: 0, pauseMs: 0 };
  for (const url of serviceUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      const match = /^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} ([\d.e+-]+)$/.exec(line);
      if (!match) continue;
      const [, field, kind, value] = match;
      if (field === 'sum') total.pauseMs += Number(value) * 1000;
      else if (kind === 'major') total.majorCollections += Number(value);
    }
  }
  return total;
}

export function gcSince(before: GcReading, after: GcReading): GcReading {
  return { majorCollections: after.majorCollections - before.majorCollections, pauseMs: after.pauseMs - before.pauseMs };
}
