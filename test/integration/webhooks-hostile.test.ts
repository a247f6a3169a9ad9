import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { hostileAnswers } from '../helpers/hostile-answers.js';
import { TestReceiver, type ReceivedRequest } from '../helpers/receiver.js';
import { createContact, deliveries, pointChannel, sql } from '../helpers/webhooks.js';

/** The longest delay of the schedule below: the most a Retry-After can make a retry wait. */
const LONGEST_DELAY_MS = 4_000;
/** How late a retry may come on a loaded machine (the poll interval, a claim, a record): less than the waits it tells apart. */
const SLACK_MS = 2_500;

let t: TestApp;
let receiver: TestReceiver;
/** Where redirects point: it must never be requested. */
let elsewhere: TestReceiver;

beforeAll(async () => {
  t = await startTestApp({
    WEBHOOK_TIMEOUT: '2s',
    WEBHOOK_LEASE: '30s',
    WEBHOOK_RETRY_SCHEDULE: `100ms,${LONGEST_DELAY_MS}ms,100ms,100ms`,
    // Hostile first answers fail many in a row; one attempt at a time would only make this file slow on a loaded machine.
    WEBHOOK_CIRCUIT_FAILURES: '1000',
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  receiver = await new TestReceiver().start();
  elsewhere = await new TestReceiver().start();
  await pointChannel(t, 'contact', receiver.url);
});
afterEach(async () => {
  await t.ok(`mutation { configureWebhooks(input: { contact: { url: null } }) { contact { url } } }`);
  await receiver.stop();
  await elsewhere.stop();
});

async function changeNotes(id: string, notes: string) {
  await t.ok(`mutation($id: ID!, $notes: String!) { updateContact(id: $id, input: { notes: $notes }) { id } }`, { id, notes });
}

/** The contact's deliveries, oldest first. */
async function deliveriesOf(contactId: string) {
  return (await deliveries(t, { channel: 'CONTACT', entityId: contactId })).edges.map((e) => e.node).reverse();
}

/** Waits for `count` requests, then for the worker to have recorded every answer. */
async function answered(count: number, timeoutMs?: number) {
  await receiver.waitFor(count, timeoutMs);
  await t.app.worker!.drain();
}

/** How long the retry of a delivery waited after its first attempt ended, from the log (the API shows whole seconds). */
async function waitedBeforeRetry(deliveryId: string): Promise<number> {
  const [first, second] = await sql<{ started_at: Date; duration_ms: number }>(
    t.databaseUrl,
    'select started_at, duration_ms from webhook_attempts where delivery_id = $1 order by id',
    [deliveryId],
  );
  return second!.started_at.getTime() - first!.started_at.getTime() - first!.duration_ms;
}

function expectStorable(excerpt: string | null) {
  if (excerpt === null) return;
  expect(excerpt).not.toContain('\u0000');
  // Well-formed: no lone surrogate, which jsonb would refuse.
  expect(excerpt).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(1_024);
}

describe('answers that cannot be stored as they are', () => {
  it('records a failed attempt whose answer has a NUL byte, retries it on the schedule, and lets the record’s later events follow', async () => {
    receiver.answers = [{ status: 500, body: 'database\u0000down' }];
    const id = await createContact(t, 'Nul Failure');
    await changeNotes(id, 'after the failure');
    await answered(3);
    const [created, updated] = await deliveriesOf(id);
    expect(created).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
    expect(created.attempts).toMatchObject([
      { ok: false, httpStatus: 500, responseExcerpt: 'database\uFFFDdown', error: 'the receiver answered HTTP 500; only 200 counts as delivered' },
      { ok: true, httpStatus: 200 },
    ]);
    // The retry waited for the schedule's first delay (100 ms ± 20%), not for the lease to run out.
    const gap = await waitedBeforeRetry(created.id);
    expect(gap).toBeGreaterThanOrEqual(80);
    expect(gap).toBeLessThan(SLACK_MS);
    expect(updated).toMatchObject({ status: 'SUCCEEDED', attemptCount: 1 });
    expect(receiver.requests.map((r) => r.headers['x-recordengine-event'])).toEqual(['contact.created', 'contact.created', 'contact.updated']);
    const [row] = await sql(t.databaseUrl, `select consecutive_failures, failing_since from webhook_channels where channel = 'CONTACT'`);
    expect(row).toEqual({ consecutive_failures: 0, failing_since: null });
  });

  it('records a success whose answer has a NUL byte, and does not send it again', async () => {
    receiver.answers = [{ status: 200, body: 'ok\u0000' }];
    const id = await createContact(t, 'Nul Success');
    await answered(1);
    const [created] = await deliveriesOf(id);
    expect(created).toMatchObject({ status: 'SUCCEEDED', attemptCount: 1, attempts: [{ ok: true, httpStatus: 200, responseExcerpt: 'ok\uFFFD', error: null }] });
    expect(receiver.requests).toHaveLength(1);
  });

  it('keeps at most 1 KB of an answer that is not UTF-8, as well-formed text', async () => {
    const notUtf8 = Buffer.concat(Array.from({ length: 256 }, () => Buffer.from([0x80, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x41, 0xc3])));
    receiver.answers = [{ status: 500, body: notUtf8 }];
    const id = await createContact(t, 'Not UTF-8');
    await answered(2);
    const [created] = await deliveriesOf(id);
    expect(created).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
    const excerpt: string = created.attempts[0].responseExcerpt;
    expectStorable(excerpt);
    expect(excerpt).toContain('\uFFFDA');
  });

  it('records the attempt without its excerpt when the database refuses the excerpt, for a failure and for a success', async () => {
    // Something no sanitising can foresee: here a constraint, refusing the excerpt whatever it is.
    await sql(t.databaseUrl, `alter table webhook_attempts add constraint refuse_excerpts check (response_excerpt is null or response_excerpt not like '%refuse me%')`);
    try {
      receiver.answers = [{ status: 500, body: 'please refuse me' }];
      receiver.fallback = { status: 200, body: 'refuse me too' };
      const id = await createContact(t, 'Refused Excerpt');
      await answered(2);
      const [created] = await deliveriesOf(id);
      expect(created).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
      expect(created.attempts).toMatchObject([
        { ok: false, httpStatus: 500, responseExcerpt: null, error: 'the receiver answered HTTP 500; only 200 counts as delivered' },
        { ok: true, httpStatus: 200, responseExcerpt: null, error: null },
      ]);
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await sql(t.databaseUrl, 'alter table webhook_attempts drop constraint refuse_excerpts');
    }
  });
});

describe('Retry-After', () => {
  it('is honoured up to the longest delay of WEBHOOK_RETRY_SCHEDULE, never beyond, and ignored when unreadable', async () => {
    const cases = [
      { name: 'One Second', answer: { status: 429, headers: { 'retry-after': '1' } }, waitMs: 1_000 },
      { name: 'Huge', answer: { status: 503, headers: { 'retry-after': '9'.repeat(400) } }, waitMs: LONGEST_DELAY_MS },
      { name: 'Next Year', answer: { status: 429, headers: { 'retry-after': new Date(Date.now() + 365 * 86_400_000).toUTCString() } }, waitMs: LONGEST_DELAY_MS },
      { name: 'Garbage', answer: { status: 503, headers: { 'retry-after': 'soon, maybe' } }, waitMs: 80 },
    ];
    const byName = new Map(cases.map((c) => [c.name, c]));
    const first = new Set<string>();
    receiver.script = (request: ReceivedRequest) => {
      const webhookId = String(request.headers['webhook-id']);
      if (first.has(webhookId)) return undefined;
      first.add(webhookId);
      return byName.get(request.json.name)!.answer;
    };
    const ids = [];
    for (const c of cases) ids.push(await createContact(t, c.name));
    await answered(2 * cases.length);
    for (const [i, c] of cases.entries()) {
      const [created] = await deliveriesOf(ids[i]!);
      expect(created, c.name).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
      expect(created.attempts[0].httpStatus, c.name).toBe(c.answer.status);
      const waited = await waitedBeforeRetry(created.id);
      expect(waited, c.name).toBeGreaterThanOrEqual(c.waitMs);
      expect(waited, c.name).toBeLessThan(c.waitMs + SLACK_MS);
    }
  });
});

describe('a receiver that answers every first attempt in a hostile way', () => {
  it('gets every event delivered, each attempt recorded, in order per record, and never follows a redirect', async () => {
    const answers = hostileAnswers(elsewhere.url);
    const byName = new Map(answers.map((a) => [`Hostile ${a.name}`, a]));
    const delivered = new Set<string>();
    const seen = new Set<string>();
    receiver.script = (request) => {
      const webhookId = String(request.headers['webhook-id']);
      const hostile = seen.has(webhookId) ? undefined : byName.get(request.json.name);
      seen.add(webhookId);
      if (!hostile || hostile.delivers) delivered.add(webhookId);
      return hostile && { status: 0, act: hostile.act };
    };
    const ids = new Map<string, string>();
    for (const a of answers) {
      const id = await createContact(t, `Hostile ${a.name}`);
      await changeNotes(id, 'the second event of the record');
      ids.set(a.name, id);
    }
    await receiver.waitUntil(() => delivered.size === 2 * answers.length, 120_000, 'every event to be answered 200');
    await t.app.worker!.drain();

    const expectedFirst: Record<string, Record<string, unknown>> = {
      'nul-500': { httpStatus: 500, responseExcerpt: 'database\uFFFDdown' },
      'nul-200': { httpStatus: 200, responseExcerpt: 'ok\uFFFD' },
      'three-mb-500': { httpStatus: 500, responseExcerpt: 'x'.repeat(1_024) },
      'endless-200': { httpStatus: 200, responseExcerpt: 'y'.repeat(1_024) },
      'redirect-to-metadata': {
        httpStatus: 302,
        error: 'the receiver answered HTTP 302 (a redirect to http://169.254.169.254/latest/meta-data/iam/security-credentials/, which is not followed); only 200 counts as delivered',
      },
      'redirect-elsewhere': { httpStatus: 307, error: `the receiver answered HTTP 307 (a redirect to ${elsewhere.url}, which is not followed); only 200 counts as delivered` },
      'retry-after-garbage-429': { httpStatus: 429 },
      'retry-after-huge-503': { httpStatus: 503 },
      'retry-after-far-date-429': { httpStatus: 429 },
      'retry-after-long-503': { httpStatus: 503 },
      reset: { httpStatus: null, responseExcerpt: null },
      'truncated-200': { httpStatus: 200, responseExcerpt: null },
      'trickle-200': { httpStatus: 200, responseExcerpt: null, error: 'no complete answer within 2000 ms (WEBHOOK_TIMEOUT)' },
      'headers-overflow-200': { httpStatus: null, error: 'UND_ERR_HEADERS_OVERFLOW: Headers Overflow Error' },
      // The Fetch API has no Response for it: recorded with its status, without the excerpt.
      'status-999': { httpStatus: 999, responseExcerpt: null, error: 'the receiver answered HTTP 999, which is not a status of HTTP (200–599); only 200 counts as delivered' },
      'no-content-204': { httpStatus: 204, responseExcerpt: null },
      'malformed-json-200': { httpStatus: 200, responseExcerpt: '{"received": tru' },
      'malformed-json-400': { httpStatus: 400, responseExcerpt: '{"error": [1, 2' },
    };
    for (const a of answers) {
      const events = await deliveriesOf(ids.get(a.name)!);
      expect(events.map((d) => d.status), a.name).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      for (const d of events) {
        // Every attempt made is an attempt recorded.
        expect(d.attemptCount, a.name).toBe(d.attempts.length);
        expect(d.attempts.map((x: { ok: boolean }) => x.ok), a.name).toEqual(a.delivers ? [true] : [false, true]);
        expect(d.attempts[0], a.name).toMatchObject(expectedFirst[a.name] ?? {});
        for (const attempt of d.attempts) expectStorable(attempt.responseExcerpt);
      }
      // The record's second event went out only once its first was delivered.
      const [created, updated] = events.map((d) => d.event.id);
      const lastOfCreated = receiver.requests.findLastIndex((r) => r.headers['webhook-id'] === created);
      const firstOfUpdated = receiver.requests.findIndex((r) => r.headers['webhook-id'] === updated);
      expect(firstOfUpdated, a.name).toBeGreaterThan(lastOfCreated);
    }
    const broken = await deliveriesOf(ids.get('truncated-200')!);
    expect(broken[0].attempts[0].error).toMatch(/^the answer broke off after its headers: /);
    const reset = await deliveriesOf(ids.get('reset')!);
    expect(reset[0].attempts[0].error).toMatch(/ECONNRESET|UND_ERR_SOCKET|socket/i);
    expect(elsewhere.requests).toHaveLength(0);
  }, 150_000);
});
