/**
 * What to do after an attempt, as data and one pure function (graphile-worker's backoff
 * table; Standard Webhooks' status handling). The README and WEBHOOKS.md print the same rules.
 */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'error'; error: string };

export type Decision =
  | { action: 'succeeded' }
  | { action: 'retry'; delayMs: number }
  | { action: 'failed'; reason: string }
  | { action: 'disable-channel'; reason: string };

/** ±20% so that receivers coming back from an outage are not hit by every retry at once. */
export const JITTER = 0.2;

/** The reference: "RecordEngine considers any non-200 response a failure". */
export function isSuccess(status: number): boolean {
  return status === 200;
}

/**
 * @param attempt 1 for the first attempt
 * @param schedule delays between attempts after the first (WEBHOOK_RETRY_SCHEDULE)
 * @param random in [0, 1), injected so that tests are exact
 */
export function decide(outcome: AttemptOutcome, attempt: number, schedule: readonly number[], random: () => number = Math.random): Decision {
  if (outcome.kind === 'response' && isSuccess(outcome.status)) return { action: 'succeeded' };
  if (outcome.kind === 'response' && outcome.status === 410) {
    return { action: 'disable-channel', reason: 'the receiver answered 410 Gone' };
  }
  const base = schedule[attempt - 1];
  if (base === undefined) {
    return { action: 'failed', reason: `no success after ${attempt} attempts: the retry schedule is spent` };
  }
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503) && outcome.retryAfterMs !== undefined) {
    // A receiver may ask for a longer wait, never for one past the schedule's longest delay:
    // a Retry-After of a year would otherwise hold the record's later events for a year.
    return { action: 'retry', delayMs: Math.max(jittered, Math.min(outcome.retryAfterMs, Math.max(...schedule))) };
  }
  return { action: 'retry', delayMs: jittered };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
