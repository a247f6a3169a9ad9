import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAudit } from '../../src/audit/audit-log.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let db: pg.Client;

type Entry = { actor: string; action: string; subject: string | null; changes: unknown };

const RECEIVER = 'http://127.0.0.1:9/hook';

/** The entries recorded while `run` ran, oldest first. */
async function recordedDuring(run: () => Promise<unknown>): Promise<Entry[]> {
  const { rows } = await db.query<{ id: string }>('select coalesce(max(id), 0) as id from audit_log');
  await run();
  const { rows: entries } = await db.query<Entry>('select actor, action, subject, changes from audit_log where id > $1 order by id', [rows[0]!.id]);
  return entries;
}

async function auditRowCount(): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from audit_log');
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await t.stop();
});

describe('each change of configuration is recorded with its actor, action, subject and changes', () => {
  it('webhook settings, with the bearer token only as set or cleared', async () => {
    const entries = await recordedDuring(async () => {
      await t.ok(`mutation { configureWebhooks(input: { contact: { url: "${RECEIVER}" }, bearerToken: "receiver-bearer-1", offlineMode: false }) { offlineMode } }`);
      await t.ok(`mutation { configureWebhooks(input: { bearerToken: "" }) { bearerTokenSet } }`);
      await t.ok(`mutation { rotateWebhookSigningSecret { previousSecretExpiresAt } }`);
      await t.ok(`{ webhookSettings { signingSecret } }`);
    });
    expect(entries).toEqual([
      { actor: 'API_TOKEN', action: 'webhookSettings.configure', subject: null, changes: { contact: { url: RECEIVER }, offlineMode: false, bearerToken: 'set' } },
      { actor: 'API_TOKEN', action: 'webhookSettings.configure', subject: null, changes: { bearerToken: 'cleared' } },
      { actor: 'API_TOKEN', action: 'webhookSettings.rotateSecret', subject: null, changes: { signingSecret: 'rotated' } },
      { actor: 'API_TOKEN', action: 'webhookSettings.revealSecret', subject: null, changes: null },
    ]);
  });

  it('endpoints, redelivery and replay, named by the token that made them', async () => {
    const { createApiToken } = await t.ok(`mutation { createApiToken(input: { name: "deploy bot", scopes: [WEBHOOKS, WRITE] }) { token { id } secret } }`);
    const as = async (query: string, variables?: Record<string, unknown>) => {
      const res = await t.gql(query, variables, createApiToken.secret);
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    let endpointId = '';
    let deliveryId = '';
    const entries = await recordedDuring(async () => {
      const created = await as(`mutation { createWebhookEndpoint(input: { url: "${RECEIVER}", subscription: "subscription { contactChanged { name } }" }) { endpoint { id } } }`);
      endpointId = created.createWebhookEndpoint.endpoint.id;
      await as(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { description: "CRM" }) { id } }`, { id: endpointId });
      await as(`mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { signingSecret } }`, { id: endpointId });
      await as(`mutation { createContact(input: { name: "Audited", type: CLIENT }) { id } }`);
      const { webhookDeliveries } = await as(`{ webhookDeliveries(filter: { channel: CONTACT }, first: 1) { edges { node { id } } } }`);
      deliveryId = webhookDeliveries.edges[0].node.id;
      await as(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: deliveryId });
      await as(`mutation { replayWebhooks(input: { channel: CONTACT, since: "2020-01-01T00:00:00Z", dryRun: true }) { count } }`);
      await as(`mutation { replayWebhooks(input: { channel: CONTACT, since: "2020-01-01T00:00:00Z" }) { count } }`);
      await as(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpointId });
    });
    const actor = 'deploy bot';
    expect(entries).toEqual([
      {
        actor,
        action: 'webhookEndpoint.create',
        subject: `webhookEndpoint:${endpointId}`,
        changes: { url: RECEIVER, subscription: 'subscription { contactChanged { name } }' },
      },
      { actor, action: 'webhookEndpoint.update', subject: `webhookEndpoint:${endpointId}`, changes: { description: 'CRM' } },
      { actor, action: 'webhookEndpoint.rotateSecret', subject: `webhookEndpoint:${endpointId}`, changes: { signingSecret: 'rotated' } },
      { actor, action: 'webhookDelivery.redeliver', subject: `webhookDelivery:${deliveryId}`, changes: null },
      { actor, action: 'webhooks.replay', subject: null, changes: { channel: 'CONTACT', since: '2020-01-01T00:00:00.000Z', dryRun: false, count: 1 } },
      { actor, action: 'webhookEndpoint.delete', subject: `webhookEndpoint:${endpointId}`, changes: null },
    ]);
  });

  it('rules and tokens', async () => {
    let ruleId = '';
    let tokenId = '';
    const entries = await recordedDuring(async () => {
      const { createRule } = await t.ok(
        `mutation { createRule(input: { name: "Archive", trigger: SCHEDULE, intervalMinutes: 60, conditions: [{ field: "doc_type", operator: EQUALS, value: "Receipt" }], action: { type: SET_STATUS, status: ARCHIVED } }) { id } }`,
      );
      ruleId = createRule.id;
      await t.ok(`mutation($id: ID!) { setRuleEnabled(id: $id, enabled: false) { id } }`, { id: ruleId });
      await t.ok(`mutation($id: ID!) { deleteRule(id: $id) }`, { id: ruleId });
      const { createApiToken } = await t.ok(`mutation { createApiToken(input: { name: "reader", scopes: [READ], expiresAt: "2099-01-01T00:00:00Z" }) { token { id } } }`);
      tokenId = createApiToken.token.id;
      await t.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: tokenId });
    });
    expect(entries).toEqual([
      { actor: 'API_TOKEN', action: 'rule.create', subject: `rule:${ruleId}`, changes: expect.objectContaining({ name: 'Archive', trigger: 'SCHEDULE', intervalMinutes: 60 }) },
      { actor: 'API_TOKEN', action: 'rule.disable', subject: `rule:${ruleId}`, changes: { enabled: false } },
      { actor: 'API_TOKEN', action: 'rule.delete', subject: `rule:${ruleId}`, changes: null },
      { actor: 'API_TOKEN', action: 'apiToken.create', subject: `apiToken:${tokenId}`, changes: { name: 'reader', scopes: ['READ'], expiresAt: '2099-01-01T00:00:00.000Z' } },
      { actor: 'API_TOKEN', action: 'apiToken.revoke', subject: `apiToken:${tokenId}`, changes: null },
    ]);
  });

  it('is read with auditLog, newest first, page by page', async () => {
    const first = await t.ok(`{ auditLog(first: 2) { edges { node { id at actor action subject changes } } pageInfo { hasNextPage endCursor } } }`);
    expect(first.auditLog.edges).toHaveLength(2);
    expect(first.auditLog.edges[0].node).toMatchObject({ actor: 'API_TOKEN', action: 'apiToken.revoke', at: expect.any(String) });
    expect(first.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await t.ok(`query($after: String) { auditLog(first: 1, after: $after) { edges { node { id action } } } }`, { after: first.auditLog.pageInfo.endCursor });
    expect(next.auditLog.edges[0].node.action).toBe('rule.delete');
    expect(Number(next.auditLog.edges[0].node.id)).toBeLessThan(Number(first.auditLog.edges[1].node.id));
  });
});

describe('a change that fails', () => {
  it.each([
    ['a webhook URL refused before the transaction', `mutation { configureWebhooks(input: { document: { url: "ftp://example.com" } }) { offlineMode } }`],
    ['an endpoint whose document does not validate', `mutation { createWebhookEndpoint(input: { url: "${RECEIVER}", subscription: "subscription { nope }" }) { signingSecret } }`],
    ['an endpoint that does not exist, found inside the transaction', `mutation { updateWebhookEndpoint(id: "999999", input: { description: "x" }) { id } }`],
    ['a rule that does not exist, found inside the transaction', `mutation { updateRule(id: "999999", input: { name: "x", trigger: DOCUMENT_READY, conditions: [{ field: "doc_type", operator: EQUALS, value: "Receipt" }], action: { type: SET_STATUS, status: ARCHIVED } }) { id } }`],
    ['a redelivery of an unknown delivery', `mutation { redeliverWebhook(deliveryId: "999999") { id } }`],
  ])('leaves no audit row: %s', async (_, mutation) => {
    const before = await auditRowCount();
    const res = await t.gql(mutation);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(await auditRowCount()).toBe(before);
  });

  it('leaves no audit row when it is refused inside its transaction, after taking its lock', async () => {
    const { rows } = await db.query<{ id: number }>(`select id from api_tokens where name = 'API_TOKEN'`);
    // The only ADMIN token: its revocation is refused after the lock, in the transaction.
    const before = await auditRowCount();
    const res = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: String(rows[0]!.id) });
    expect(res.errors?.[0]?.message).toMatch(/last ADMIN token/);
    expect(await auditRowCount()).toBe(before);
  });
});

describe('secrets', () => {
  it('never appear in the audit log: searched by value after every change that sets or shows one', async () => {
    const secrets: string[] = ['receiver-bearer-secret-0123456789'];
    await t.ok(`mutation { configureWebhooks(input: { document: { url: "${RECEIVER}" }, bearerToken: "${secrets[0]}" }) { offlineMode } }`);
    const rotated = await t.ok(`mutation { rotateWebhookSigningSecret { signingSecret } }`);
    secrets.push(rotated.rotateWebhookSigningSecret.signingSecret);
    const endpoint = await t.ok(`mutation { createWebhookEndpoint(input: { url: "${RECEIVER}", subscription: "subscription { folderChanged { name } }" }) { endpoint { id } signingSecret } }`);
    secrets.push(endpoint.createWebhookEndpoint.signingSecret);
    const rotatedEndpoint = await t.ok(`mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { signingSecret } }`, { id: endpoint.createWebhookEndpoint.endpoint.id });
    secrets.push(rotatedEndpoint.rotateWebhookEndpointSecret.signingSecret);
    const token = await t.ok(`mutation { createApiToken(input: { name: "leaky?", scopes: [READ] }) { secret } }`);
    secrets.push(token.createApiToken.secret);
    const { data } = await t.gql<{ regenerateApiToken: string }>(`mutation { regenerateApiToken }`, undefined, token.createApiToken.secret);
    secrets.push(data!.regenerateApiToken);
    expect(secrets.every((s) => s.length >= 20)).toBe(true);

    const { rows: entries } = await db.query('select count(*)::int as n from audit_log');
    expect(entries[0].n).toBeGreaterThan(6);
    for (const secret of secrets) {
      const { rows } = await db.query(`select id from audit_log a where strpos(a::text, $1) > 0`, [secret]);
      expect(rows, `a secret (${secret.slice(0, 6)}…) is in the audit log`).toEqual([]);
    }
  });
});

describe('retention', () => {
  it('purges entries older than AUDIT_RETENTION and keeps the others', async () => {
    await db.query(`insert into audit_log (at, actor, action) values (now() - interval '3 days', 'old', 'test.old'), (now() - interval '1 hour', 'recent', 'test.recent')`);
    const purged = await purgeAudit(t.app.database.orm.em.fork(), 2 * 86_400_000);
    expect(purged).toBe(1);
    const { rows } = await db.query(`select action from audit_log where action like 'test.%'`);
    expect(rows).toEqual([{ action: 'test.recent' }]);
  });
});
