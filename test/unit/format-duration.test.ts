import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/duration.js';

describe('formatDuration', () => {
  it('writes the two largest whole units, as WEBHOOK_* values are written', () => {
    expect(formatDuration(300)).toBe('300ms');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(7_200_000 + 41_000)).toBe('2h 41s');
    expect(formatDuration(5 * 86_400_000)).toBe('5d');
    expect(formatDuration(5 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('5d 3h');
  });

  it('reads back what parseDuration reads, for single units', () => {
    for (const text of ['500ms', '5s', '5m', '2h', '30d']) expect(formatDuration(parseDuration(text))).toBe(text);
  });
});
