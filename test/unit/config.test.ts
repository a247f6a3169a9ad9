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
      expect(problems.join('\n')).toMatch(/API_TOKEN=\(hidden, 6 characters\): must be re_/);
    }
  });

  it('never shows a token or a database password in an error line', () => {
    expect(() => loadConfig({ API_TOKEN: 're_NOTHEX' })).toThrow(/^(?![\s\S]*NOTHEX)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db/app' })).toThrow(/DATABASE_URL="mysql:\/\/app:\*\*\*@db\/app": must be a postgres/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db/app' })).not.toThrow(/s3cret/);
  });

  it('reads whole numbers only, where z.coerce would take " ", "0x10" or "1e3"', () => {
    for (const value of [' ', '0x10', '1e3', '80.5', '-1']) {
      expect(() => loadConfig({ PORT: value })).toThrow(new RegExp(`PORT=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: must be a whole number`));
    }
    expect(() => loadConfig({ PORT: '65536' })).toThrow(/PORT="65536": must be at most 65535/);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('gives one line per variable, however many rules it breaks', () => {
    try {
      loadConfig({ WEBHOOK_CONCURRENCY: '0', WEBHOOK_POLL_INTERVAL: '0ms' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'WEBHOOK_CONCURRENCY="0": must be at least 1',
        'WEBHOOK_POLL_INTERVAL="0ms": must be between 10ms and 24d',
      ]);
    }
  });

  it('reads the body limit as a size and refuses what express would read as no limit', () => {
    expect(loadConfig({}).graphql.maxBody).toBe(1024 * 1024);
    expect(loadConfig({ GRAPHQL_MAX_BODY: '512kb' }).graphql.maxBody).toBe(512 * 1024);
    expect(loadConfig({ GRAPHQL_MAX_BODY: '2048' }).graphql.maxBody).toBe(2048);
    expect(() => loadConfig({ GRAPHQL_MAX_BODY: 'lots' })).toThrow(/GRAPHQL_MAX_BODY="lots": "lots" is not a size/);
  });

  it('bounds timer durations: 0 would spin, more than 24 days would fire at once', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT: '30d' })).toThrow(/WEBHOOK_TIMEOUT="30d": must be between 1ms and 24d/);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT: '0s' })).toThrow(/WEBHOOK_TIMEOUT="0s"/);
    expect(loadConfig({ WEBHOOK_POLL_INTERVAL: '10ms' }).webhooks.pollIntervalMs).toBe(10);
  });

  it('reads booleans in any case and refuses anything else', () => {
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'TRUE', MIGRATE_ON_START: '0' })).toMatchObject({
      migrateOnStart: false,
      webhooks: { allowPrivateNetworks: true },
    });
    expect(() => loadConfig({ MIGRATE_ON_START: 'yes' })).toThrow(/MIGRATE_ON_START="yes": must be true or false/);
  });

  it('treats an empty variable as unset and strips the slash at the end of PUBLIC_URL', () => {
    expect(loadConfig({ PORT: '', PUBLIC_URL: 'https://docs.example.com/' })).toMatchObject({ port: 4000, publicUrl: 'https://docs.example.com' });
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL="ftp:\/\/x": must be an http\(s\) URL/);
  });
});
