import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await t?.stop();
});

describe('/metrics under many scrapes at once', () => {
  it('reads the delivery log at most once a second for all of them, with the same figures', async () => {
    const driver = t.app.database.orm.em.getDriver();
    // Counts the statements the scrapes send through the ORM; each one still runs.
    const execute = vi.spyOn(driver, 'execute');
    const ofDeliveryLog = () => execute.mock.calls.filter(([sql]) => /webhook_(channels|deliveries)/.test(String(sql))).length;

    const started = Date.now();
    const texts = await Promise.all(Array.from({ length: 20 }, () => fetch(`${t.url}/metrics`).then((res) => res.text())));
    const elapsedMs = Date.now() - started;

    // One read, and one more per second the scrapes took on a slow machine; each scrape used to cost four.
    expect(ofDeliveryLog()).toBeGreaterThanOrEqual(1);
    expect(ofDeliveryLog()).toBeLessThanOrEqual(1 + Math.floor(elapsedMs / 1_000));
    for (const text of texts) {
      expect(text).toContain('webhook_deliveries_pending{channel="CONTACT"} 0');
      expect(text).toContain('webhook_channel_enabled{channel="DOCUMENT"} 0');
      expect(text).toContain('webhook_channel_consecutive_failures{channel="FOLDER"} 0');
      expect(text).toMatch(/^webhook_oldest_pending_age_seconds 0$/m);
    }
  });
});
