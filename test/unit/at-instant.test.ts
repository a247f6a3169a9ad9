import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { atInstant } from '../../src/at-instant.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('atInstant', () => {
  it('runs at the instant, not before', () => {
    const run = vi.fn();
    atInstant(new Date(Date.now() + 1000), run);
    vi.advanceTimersByTime(999);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs at once for an instant that has passed', () => {
    const run = vi.fn();
    atInstant(new Date(Date.now() - 1), run);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('waits for an instant beyond what one timer holds (about 24.8 days) instead of firing at once', () => {
    const run = vi.fn();
    const days40 = 40 * 86_400_000;
    atInstant(new Date(Date.now() + days40), run);
    vi.advanceTimersByTime(days40 - 1);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('never runs once cancelled', () => {
    const run = vi.fn();
    const cancel = atInstant(new Date(Date.now() + 1000), run);
    cancel();
    vi.advanceTimersByTime(2000);
    expect(run).not.toHaveBeenCalled();
  });
});
