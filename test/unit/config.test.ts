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
        'WEBHOOK_POLL_INTERVAL="0ms": must be between 10ms and 1h',
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
    expect(() => loadConfig({ WEBHOOK_TIMEOUT: '30d' })).toThrow(/WEBHOOK_TIMEOUT="30d": must be between 1ms and 1h/);
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

  it('bounds the lease, whose renewal timer (a third of it) would overflow above 74 days', () => {
    expect(() => loadConfig({ WEBHOOK_LEASE: '75d' })).toThrow(/WEBHOOK_LEASE="75d": must be between 1s and 1d/);
    expect(() => loadConfig({ WEBHOOK_LEASE: '25h' })).toThrow(/WEBHOOK_LEASE="25h": must be between 1s and 1d/);
    expect(loadConfig({ WEBHOOK_LEASE: '1d' }).webhooks.leaseMs).toBe(86_400_000);
  });

  it('refuses a retention that purges what was just written, or that leaves the range of a timestamp', () => {
    expect(() => loadConfig({ WEBHOOK_RETENTION: '0ms' })).toThrow(/WEBHOOK_RETENTION="0ms": must be between 1h and 3650d/);
    expect(() => loadConfig({ RULE_EXECUTIONS_RETENTION: '59m' })).toThrow(/RULE_EXECUTIONS_RETENTION="59m": must be between 1h and 3650d/);
    expect(() => loadConfig({ WEBHOOK_DISABLE_AFTER: '100000000d' })).toThrow(/WEBHOOK_DISABLE_AFTER="100000000d": must be between 0ms and 3650d/);
    expect(loadConfig({ WEBHOOK_RETENTION: '1h', RULE_EXECUTIONS_RETENTION: '3650d' })).toMatchObject({
      webhooks: { retentionMs: 3_600_000 },
      rules: { executionsRetentionMs: 3650 * 86_400_000 },
    });
  });

  it('gives every other setting an upper bound, one line per variable', () => {
    try {
      loadConfig({
        WEBHOOK_RETRY_SCHEDULE: '5s,31d',
        WEBHOOK_SECRET_OVERLAP: '31d',
        WEBHOOK_MAX_PAYLOAD_BYTES: '67108865',
        WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '10001',
        WS_SUBSCRIBER_BUFFER: '1000001',
        WS_CONNECTION_INIT_TIMEOUT: '2m',
        WS_KEEP_ALIVE: '11m',
        WS_POLL_INTERVAL: '2h',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'WEBHOOK_RETRY_SCHEDULE="5s,31d": each delay must be at most 30d',
        'WEBHOOK_SECRET_OVERLAP="31d": must be between 0ms and 30d',
        'WEBHOOK_MAX_PAYLOAD_BYTES="67108865": must be at most 67108864',
        'WS_MAX_SUBSCRIPTIONS_PER_SOCKET="10001": must be at most 10000',
        'WS_SUBSCRIBER_BUFFER="1000001": must be at most 1000000',
        'WS_CONNECTION_INIT_TIMEOUT="2m": must be between 10ms and 1m',
        'WS_KEEP_ALIVE="11m": must be between 100ms and 10m',
        'WS_POLL_INTERVAL="2h": must be between 10ms and 1h',
      ]);
    }
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: Array(101).fill('1s').join(',') })).toThrow(/must list at most 100 delays/);
  });

  it('treats an empty variable as unset and strips the slash at the end of PUBLIC_URL', () => {
    expect(loadConfig({ PORT: '', PUBLIC_URL: 'https://docs.example.com/' })).toMatchObject({ port: 4000, publicUrl: 'https://docs.example.com' });
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL="ftp:\/\/x": must be an http\(s\) URL/);
  });

  it('reads SUBSCRIPTION_CALLBACK_URLS as http(s) prefixes, none by default', () => {
    expect(loadConfig({}).subscriptionCallbackUrls).toEqual([]);
    expect(loadConfig({ SUBSCRIPTION_CALLBACK_URLS: 'http://router:4000/callback/, https://b.example.com' }).subscriptionCallbackUrls).toEqual([
      'http://router:4000/callback/',
      'https://b.example.com/',
    ]);
    expect(() => loadConfig({ SUBSCRIPTION_CALLBACK_URLS: 'ftp://r/,http://u:p@r/,nope' })).toThrow(
      /SUBSCRIPTION_CALLBACK_URLS=.*"ftp:\/\/r\/" must be an http or https URL; "http:\/\/u:p@r\/" must have no credentials, query or fragment; "nope" is not a URL/,
    );
  });
});
