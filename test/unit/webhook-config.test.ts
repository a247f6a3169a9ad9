import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('webhook settings of the environment', () => {
  it('derives the lease from the attempt timeout unless WEBHOOK_LEASE is set', () => {
    expect(loadConfig({}).webhooks.leaseMs).toBe(45_000);
    expect(loadConfig({ WEBHOOK_TIMEOUT: '2s' }).webhooks.leaseMs).toBe(32_000);
    expect(loadConfig({ WEBHOOK_TIMEOUT: '1s', WEBHOOK_LEASE: '3s' }).webhooks.leaseMs).toBe(3_000);
  });

  it('refuses a lease that an attempt could outlast', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT: '5s', WEBHOOK_LEASE: '5s' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_LEASE: '5s' })).toThrow(/WEBHOOK_LEASE="5s": must be longer than WEBHOOK_TIMEOUT \(15000 ms\)/);
    expect(() => loadConfig({ WEBHOOK_LEASE: 'soon' })).toThrow(/WEBHOOK_LEASE="soon": "soon" is not a duration/);
  });
});
