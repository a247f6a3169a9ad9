import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLAIM_PACE_MS } from '../../src/webhooks/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ownWorker, type OwnWorker } from '../helpers/own-worker.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel } from '../helpers/webhooks.js';

/** A worker of the test's own, running (not manual), whose pool notes when each claim starts. */
let api: TestApp;
let receiver: TestReceiver;
let own: OwnWorker;
const claimStarts: number[] = [];

beforeAll(async () => {
  api = await startTestApp({ WEBHOOK_WORKER: 'false' });
  receiver = await new TestReceiver().start();
  await pointChannel(api, 'contact', receiver.url);
  own = ownWorker(api, {
    // A poll an hour apart: only wake-ups start claims here.
    worker: { concurrency: 16, circuitFailures: 5, pollIntervalMs: 3_600_000, leaseMs: 30_000, retrySchedule: [60_000], disableAfterMs: 86_400_000 },
    onStatement: (name) => {
      if (name === 'claim-deliveries') claimStarts.push(performance.now());
    },
  });
  own.worker.start();
});
afterAll(async () => {
  await own?.stop();
  await receiver?.stop();
  await api?.stop();
});

it('starts claims at most once per CLAIM_PACE_MS however often new work wakes it, and delivers everything', async () => {
  claimStarts.length = 0;
  // Contacts created one after another while the worker is woken on every turn of the event
  // loop: far more often than it may claim.
  let wakes = 0;
  let created = 0;
  let waking = true;
  const creating = (async () => {
    for (; created < 40; created++) await createContact(api, `Paced ${created}`);
    waking = false;
  })();
  while (waking) {
    own.worker.wake();
    wakes++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await creating;
  own.worker.wake();
  await receiver.waitFor(40);
  // Timers fire on whole milliseconds: a start may come up to one early.
  const gaps = claimStarts.slice(1).map((at, i) => at - claimStarts[i]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(CLAIM_PACE_MS - 1);
  expect(claimStarts.length).toBeLessThan(wakes);
});
