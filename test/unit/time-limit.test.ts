import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeLimit } from '../../src/time-limit.js';

describe('timeLimit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('aborts its signal when the time is up, with a TimeoutError as AbortSignal.timeout does', () => {
    const limit = timeLimit(2_000);
    vi.advanceTimersByTime(1_999);
    expect(limit.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBeInstanceOf(DOMException);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
    expect((limit.signal.reason as DOMException).message).toContain('2000 ms');
  });

  it('once cleared, leaves no timer behind and never aborts', () => {
    const limit = timeLimit(15_000);
    const aborted = vi.fn();
    limit.signal.addEventListener('abort', aborted);
    expect(vi.getTimerCount()).toBe(1);
    limit.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(limit.signal.aborted).toBe(false);
    expect(aborted).not.toHaveBeenCalled();
  });
});
