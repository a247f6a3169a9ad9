import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ormConfig } from '../../src/db/orm-config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestReceiver } from '../helpers/receiver.js';
import { createContact, pointChannel, sql } from '../helpers/webhooks.js';

let t: TestApp;
let receiver: TestReceiver;

beforeAll(async () => {
  // A failed attempt's retry waits an hour: the overview's counts stay as the test made them.
  t = await startTestApp({ WEBHOOK_RETRY_SCHEDULE: '1h' });
  receiver = new TestReceiver();
  await receiver.start();
});
afterAll(async () => {
  await t.stop();
  await receiver.stop();
});

/** Everything committed so far turned into deliveries and sent. */
async function settle() {
  await t.app.broadcaster.runOnce();
  await t.app.materializer.runOnce();
  await t.app.worker!.drain();
}

const OVERVIEW = `query($w: Int) { webhookOverview(windowMinutes: $w) {
  from to
  targets { channel endpoint { id } url enabled failingSince consecutiveFailures succeeded failed successRate latencyP50Ms latencyP99Ms pending oldestPendingAt }
  minutes { at succeeded failed latencyP50Ms latencyP99Ms } } }`;

type Counted = { succeeded: number; failed: number; latencyP50Ms: number | null; latencyP99Ms: number | null };

/** What the overview counted of the attempts, per target and per minute that had any: not the window's bounds, which move with the clock. */
function attemptFigures(o: { targets: (Counted & { channel: string | null; endpoint: { id: string } | null })[]; minutes: (Counted & { at: string })[] }) {
  const counted = ({ succeeded, failed, latencyP50Ms, latencyP99Ms }: Counted) => ({ succeeded, failed, latencyP50Ms, latencyP99Ms });
  return {
    targets: o.targets.map((x) => ({ channel: x.channel, endpoint: x.endpoint?.id ?? null, ...counted(x) })),
    minutes: o.minutes.filter((m) => m.succeeded + m.failed > 0).map((m) => ({ at: m.at, ...counted(m) })),
  };
}

describe('webhookOverview', () => {
  it('counts the attempts of the window per channel, endpoint and minute, and what waits', async () => {
    await pointChannel(t, 'contact', receiver.url);
    receiver.answers = [{ status: 500 }];
    await createContact(t, 'Overview Ltd');
    await settle();
    // The first contact.created failed once and waits for its retry; the folders' channel has no URL, so nothing waits there.
    const { webhookOverview: o } = await t.ok(OVERVIEW, { w: 10 });
    expect(new Date(o.to).getTime() - new Date(o.from).getTime()).toBe(10 * 60_000);
    expect(o.minutes.length).toBeGreaterThanOrEqual(10);
    expect(o.minutes.length).toBeLessThanOrEqual(11);
    const contact = o.targets.find((x: { channel: string | null }) => x.channel === 'CONTACT');
    expect(contact).toMatchObject({ url: receiver.url, enabled: true, succeeded: 0, failed: 1, successRate: 0, pending: 1, consecutiveFailures: 1 });
    expect(contact.latencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(contact.oldestPendingAt).not.toBeNull();
    expect(contact.failingSince).not.toBeNull();
    const document = o.targets.find((x: { channel: string | null }) => x.channel === 'DOCUMENT');
    expect(document).toMatchObject({ succeeded: 0, failed: 0, successRate: null, latencyP50Ms: null, pending: 0, oldestPendingAt: null });
    const perMinute = o.minutes.reduce((sum: number, m: { failed: number }) => sum + m.failed, 0);
    expect(perMinute).toBe(1);
  });

  it('sees an endpoint with its own row', async () => {
    const url = receiver.endpointUrl();
    const { createWebhookEndpoint } = await t.ok(
      `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id bodySchema } } }`,
      { input: { url, subscription: 'subscription { contactChanged { id name } }' } },
    );
    receiver.expectEndpoint(url, createWebhookEndpoint.endpoint.bodySchema);
    await createContact(t, 'Endpoint Overview Ltd');
    await settle();
    const { webhookOverview: o } = await t.ok(OVERVIEW, {});
    const row = o.targets.find((x: { endpoint: { id: string } | null }) => x.endpoint?.id === createWebhookEndpoint.endpoint.id);
    expect(row).toMatchObject({ channel: null, url, enabled: true });
    expect(row.succeeded + row.failed + row.pending).toBeGreaterThan(0);
    expect(o.minutes.length).toBeGreaterThanOrEqual(60);
  });

  it('finds each attempt written with its delivery’s target, a failure’s and a success’s, a channel’s and an endpoint’s', async () => {
    const [written] = await sql<{ succeeded: number; failed: number; endpoint: number; other: number }>(
      t.databaseUrl,
      `select count(*) filter (where a.ok)::int as succeeded, count(*) filter (where not a.ok)::int as failed,
         count(*) filter (where a.channel like 'endpoint:%')::int as endpoint, count(*) filter (where a.channel is distinct from d.channel)::int as other
       from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id`,
    );
    expect(written!.other).toBe(0);
    expect(written!.succeeded).toBeGreaterThan(0);
    expect(written!.failed).toBeGreaterThan(0);
    expect(written!.endpoint).toBeGreaterThan(0);
  });

  it('counts an attempt written without its target (by the previous release, during a rolling upgrade) under its delivery’s', async () => {
    const before = (await t.ok(OVERVIEW, {})).webhookOverview;
    expect(before.targets.some((x: Counted) => x.succeeded > 0)).toBe(true);
    expect(before.targets.some((x: Counted) => x.failed > 0)).toBe(true);
    const unlabelled = await sql(t.databaseUrl, `update webhook_attempts set channel = null where id % 2 = 0 returning id`);
    expect(unlabelled.length).toBeGreaterThan(0);
    const after = (await t.ok(OVERVIEW, {})).webhookOverview;
    expect(attemptFigures(after)).toEqual(attemptFigures(before));
  });

  it('refuses a window out of range, naming it', async () => {
    const res = await t.gql(OVERVIEW, { w: 0 });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'windowMinutes', value: 0 });
    const tooLong = await t.gql(OVERVIEW, { w: 1441 });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', value: 1441 });
  });
});

describe('the migration that gives each attempt its target', () => {
  it('fills it in for the attempts of the last day, the longest window, and leaves the older ones', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `attempts_channel_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${name}`;
    const orm = await MikroORM.init({ ...ormConfig(url.toString(), 2), logger: () => undefined });
    try {
      await orm.migrator.up({ to: 'Migration20261207010000_attempts_started_at' });
      const db = orm.em.getConnection();
      await db.execute(`insert into events (type, channel, entity_id, payload) values ('contact.updated', 'CONTACT', 1, '{}')`);
      await db.execute(`insert into webhook_deliveries (event_seq, channel, entity_id, status)
        select seq, 'CONTACT', 1, 'SUCCEEDED' from events cross join generate_series(1, 2)`);
      await db.execute(`insert into webhook_attempts (delivery_id, started_at, duration_ms, http_status, ok)
        select id, now() - case when id = (select min(id) from webhook_deliveries) then interval '2 days' else interval '1 hour' end, 7, 200, true
        from webhook_deliveries`);
      await orm.migrator.up();
      const attempts = await db.execute('select channel from webhook_attempts order by started_at');
      expect(attempts).toEqual([{ channel: null }, { channel: 'CONTACT' }]);
    } finally {
      await orm.close(true);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describe('previewWebhookEndpoint', () => {
  const PREVIEW = `query($s: String!, $v: JSON) { previewWebhookEndpoint(subscription: $s, variables: $v) }`;

  it('renders an unsaved document for the newest event it chooses, and saves or sends nothing', async () => {
    const id = await createContact(t, 'Preview GmbH');
    await settle();
    const before = receiver.requests.length;
    const { previewWebhookEndpoint } = await t.ok(PREVIEW, {
      s: 'subscription($id: ID) { contactChanged(contactId: $id) { id name } }',
      v: { id },
    });
    expect(previewWebhookEndpoint).toEqual({ data: { contactChanged: { id, name: 'Preview GmbH' } } });
    const { webhookEndpoints } = await t.ok(`{ webhookEndpoints { edges { node { id } } } }`);
    expect(webhookEndpoints.edges).toHaveLength(1);
    expect(receiver.requests.length).toBe(before);
  });

  it('is null when no recent event is chosen', async () => {
    const { previewWebhookEndpoint } = await t.ok(PREVIEW, { s: 'subscription { documentExported { id } }' });
    expect(previewWebhookEndpoint).toBeNull();
  });

  it('refuses a document an endpoint could not use, as createWebhookEndpoint does', async () => {
    const res = await t.gql(PREVIEW, { s: 'subscription { contactChanged { nope } }' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subscription' });
    expect(res.errors?.[0]?.message).toContain('nope');
    const query = await t.gql(PREVIEW, { s: '{ contacts { edges { cursor } } }' });
    expect(query.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subscription' });
  });
});

describe('inspectors', () => {
  it('lists the inspectors that have not expired, newest first, with their requests', async () => {
    const first = (await t.ok(`mutation { createInspector { id url } }`)).createInspector;
    const second = (await t.ok(`mutation { createInspector { id url } }`)).createInspector;
    const sent = await fetch(first.url, { method: 'POST', body: '{"hello":1}', headers: { 'content-type': 'application/json' } });
    expect(sent.status).toBe(200);
    const { inspectors } = await t.ok(`{ inspectors { id url requests { method body } } }`);
    expect(inspectors.map((i: { id: string }) => i.id)).toEqual([second.id, first.id]);
    expect(inspectors[1].requests).toEqual([{ method: 'POST', body: '{"hello":1}' }]);
  });
});

describe('GET /graphql', () => {
  it('leads a browser to the console explorer, and serves API clients as before', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/console/#/explorer');
    const api = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${t.token}` },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
    const bare = await fetch(`${t.url}/graphql`, { headers: { accept: 'application/json', authorization: `Bearer ${t.token}` } });
    expect(bare.status).toBe(400);
  });
});
