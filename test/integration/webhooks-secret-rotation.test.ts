import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql, verifySignature } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
  receiver = await new TestReceiver().start();
});
afterAll(async () => {
  await receiver.stop();
  await t.stop();
});

const signatures = (header: unknown) => String(header).split(' ');

describe('rotating the signing secret', () => {
  it('signs with the new and the old secret for WEBHOOK_SECRET_OVERLAP, then with the new one only', async () => {
    const old = (await pointChannel(t, 'contact', receiver.url)).signingSecret as string;
    const { rotateWebhookSigningSecret: rotated } = await t.ok(`mutation { rotateWebhookSigningSecret { signingSecret previousSecretExpiresAt } }`);
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(old);
    const hours = (new Date(rotated.previousSecretExpiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);

    await createContact(t, 'During The Overlap');
    await receiver.waitFor(1);
    const during = receiver.requests[0]!;
    expect(signatures(during.headers['webhook-signature'])).toHaveLength(2);
    expect(verifySignature(rotated.signingSecret, during)).toStrictEqual(during.json);
    expect(verifySignature(old, during)).toStrictEqual(during.json);

    const { testWebhook } = await t.ok(`mutation { testWebhook(channel: CONTACT) { ok } }`);
    expect(testWebhook.ok).toBe(true);
    const tested = receiver.requests[1]!;
    expect(verifySignature(old, tested)).toStrictEqual(tested.json);

    await sql(t.databaseUrl, `update webhook_settings set previous_secret_expires_at = now() - interval '1 second'`);
    const { webhookSettings } = await t.ok(`{ webhookSettings { previousSecretExpiresAt } }`);
    expect(webhookSettings.previousSecretExpiresAt).toBeNull();
    await createContact(t, 'After The Overlap');
    await receiver.waitFor(3);
    const after = receiver.requests[2]!;
    expect(signatures(after.headers['webhook-signature'])).toHaveLength(1);
    expect(verifySignature(rotated.signingSecret, after)).toStrictEqual(after.json);
    expect(() => verifySignature(old, after)).toThrow();
  });
});
