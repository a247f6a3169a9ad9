import { describe, expect, it } from 'vitest';
import { decide, parseRetryAfter } from '../../src/webhooks/retry-policy.js';

const schedule = [5_000, 300_000];
const middle = () => 0.5;

describe('retry policy', () => {
  it('counts only HTTP 200 as delivered', () => {
    expect(decide({ kind: 'response', status: 200 }, 1, schedule, middle)).toEqual({ action: 'succeeded' });
    expect(decide({ kind: 'response', status: 201 }, 1, schedule, middle)).toEqual({ action: 'retry', delayMs: 5_000 });
    expect(decide({ kind: 'response', status: 204 }, 1, schedule, middle).action).toBe('retry');
  });

  it('follows the schedule, then fails', () => {
    expect(decide({ kind: 'error', error: 'ECONNREFUSED' }, 2, schedule, middle)).toEqual({ action: 'retry', delayMs: 300_000 });
    expect(decide({ kind: 'response', status: 500 }, 3, schedule, middle).action).toBe('failed');
  });

  it('applies ±20% jitter', () => {
    expect(decide({ kind: 'response', status: 500 }, 1, schedule, () => 0)).toEqual({ action: 'retry', delayMs: 4_000 });
    expect(decide({ kind: 'response', status: 500 }, 1, schedule, () => 0.999_999)).toEqual({ action: 'retry', delayMs: 6_000 });
  });

  it('disables the channel on 410 Gone', () => {
    expect(decide({ kind: 'response', status: 410 }, 1, schedule, middle).action).toBe('disable-channel');
  });

  it('honours Retry-After on 429 and 503, up to the longest delay of the schedule', () => {
    expect(decide({ kind: 'response', status: 429, retryAfterMs: 60_000 }, 1, schedule, middle)).toEqual({ action: 'retry', delayMs: 60_000 });
    expect(decide({ kind: 'response', status: 503, retryAfterMs: 1_000 }, 1, schedule, middle)).toEqual({ action: 'retry', delayMs: 5_000 });
    expect(decide({ kind: 'response', status: 503, retryAfterMs: 99 * 3_600_000 }, 1, schedule, middle)).toEqual({ action: 'retry', delayMs: 300_000 });
    expect(decide({ kind: 'response', status: 429, retryAfterMs: Infinity }, 2, schedule, middle)).toEqual({ action: 'retry', delayMs: 300_000 });
    // The schedule's own jitter may pass its longest delay; a Retry-After never shortens it.
    expect(decide({ kind: 'response', status: 429, retryAfterMs: Infinity }, 2, schedule, () => 0.999_999)).toEqual({ action: 'retry', delayMs: 360_000 });
    expect(decide({ kind: 'response', status: 500, retryAfterMs: 60_000 }, 1, schedule, middle)).toEqual({ action: 'retry', delayMs: 5_000 });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('9'.repeat(400))).toBe(Infinity);
    expect(parseRetryAfter('x'.repeat(8_000))).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
