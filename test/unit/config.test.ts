import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has the defaults of CONTRACT.md', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.migrateOnStart).toBe(true);
    expect(c.webhooks.retrySchedule).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(c.webhooks.timeoutMs).toBe(15_000);
    expect(c.webhooks.allowPrivateNetworks).toBe(false);
  });

  it('reads durations with units', () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '500ms, 5s,2h', WEBHOOK_TIMEOUT: '2s' }).webhooks).toMatchObject({
      retrySchedule: [500, 5_000, 7_200_000],
      timeoutMs: 2_000,
    });
  });

  it('names every bad variable, one line each', () => {
    try {
      loadConfig({ PORT: 'eighty', WEBHOOK_TIMEOUT: '15 parsecs', API_TOKEN: 'secret' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(/PORT="eighty"/);
      expect(problems.join('\n')).toMatch(/WEBHOOK_TIMEOUT="15 parsecs": "15 parsecs" is not a duration/);
      expect(problems.join('\n')).toMatch(/API_TOKEN="secret": must be re_/);
    }
  });
});
