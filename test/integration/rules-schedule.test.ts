import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

async function sql<T = unknown>(app: TestApp, query: string, params: unknown[] = []): Promise<T[]> {
  return app.app.database.orm.em.fork().execute<T[]>(query, params);
}

/** A document of a fresh contact, through extraction to NEEDS_REVIEW. */
async function reviewed(profileId: string, name: string, confidenceScore = 80): Promise<string> {
  const { createContact } = await t.ok(`mutation($n: String!) { createContact(input: { name: $n, type: VENDOR }) { folders { edges { node { id } } } } }`, { n: name });
  const { createDocument } = await t.ok(`mutation($f: ID!, $p: ID) { createDocument(input: { folderId: $f, filename: "scan.pdf", profileId: $p }) { id } }`, {
    f: createContact.folders.edges[0].node.id,
    p: profileId,
  });
  await t.ok(`mutation($id: ID!, $s: Int!) { recordExtraction(id: $id, input: { docType: "Invoice", confidenceScore: $s }) { id } }`, {
    id: createDocument.id,
    s: confidenceScore,
  });
  return createDocument.id;
}

async function profile(name: string): Promise<string> {
  const { createExtractionProfile } = await t.ok(`mutation($n: String!) { createExtractionProfile(input: { name: $n, fieldLabels: ["Total Amount"] }) { id } }`, { n: name });
  return createExtractionProfile.id;
}

async function scheduleRule(profileId: string, input: Record<string, unknown>): Promise<{ id: string; nextRunAt: string }> {
  const { createRule } = await t.ok(`mutation($i: RuleInput!) { createRule(input: $i) { id nextRunAt lastRunAt } }`, {
    i: { trigger: 'SCHEDULE', profileId, ...input },
  });
  return createRule;
}

async function makeDue(ruleId: string): Promise<void> {
  await sql(t, `update rules set next_run_at = now() - interval '1 second' where id = ?`, [Number(ruleId)]);
}

async function statusOf(id: string): Promise<string> {
  const { document } = await t.ok(`query($id: ID!) { document(id: $id) { status } }`, { id });
  return document.status;
}

async function executionsOf(ruleId: string) {
  const { ruleExecutions } = await t.ok(`query($r: ID) { ruleExecutions(ruleId: $r) { edges { node { document { id } outcome trigger detail error } } } }`, { r: ruleId });
  return ruleExecutions.edges.map((e: { node: unknown }) => e.node) as { document: { id: string }; outcome: string; trigger: string; detail: string; error: string | null }[];
}

beforeAll(async () => {
  t = await startTestApp();
  // Schedules are stepped with runOnce(), never by the poll timer.
  await t.app.rules.stop();
});
afterAll(async () => {
  await t.stop();
});

describe('SCHEDULE rules', () => {
  it('acts on every document whose status is older than days_in_status, once per interval', async () => {
    const profileId = await profile('Stale reviews');
    const rule = await scheduleRule(profileId, {
      name: 'Stuck in review: exception',
      intervalMinutes: 60,
      conditions: [
        { field: 'days_in_status', operator: 'GREATER_THAN', value: '7' },
        { field: 'status', operator: 'EQUALS', value: 'Needs Review' },
      ],
      action: { type: 'SET_STATUS', status: 'EXCEPTION' },
    });
    // Saving a schedule never acts at once: the first run is one interval later.
    expect(Date.parse(rule.nextRunAt) - Date.now()).toBeGreaterThan(59 * 60_000);

    const stale = await reviewed(profileId, 'Stale Ltd');
    const fresh = await reviewed(profileId, 'Fresh Ltd');
    await sql(t, `update documents set status_changed_at = now() - interval '10 days' where id = ?`, [Number(stale)]);

    await makeDue(rule.id);
    expect(await t.app.rules.runOnce()).toBe(1);
    expect(await statusOf(stale)).toBe('EXCEPTION');
    expect(await statusOf(fresh)).toBe('NEEDS_REVIEW');
    const recorded = await executionsOf(rule.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ document: { id: stale }, trigger: 'SCHEDULE', outcome: 'APPLIED', error: null });
    expect(recorded[0]!.detail).toMatch(/^days_in_status 10 is greater than "7"; status "NEEDS_REVIEW" is equal to "Needs Review"; status NEEDS_REVIEW → EXCEPTION$/);

    // The next run is one interval on: stepping again now does nothing.
    expect(await t.app.rules.runOnce()).toBe(0);
    const { rule: after } = await t.ok(`query($id: ID!) { rule(id: $id) { lastRunAt nextRunAt } }`, { id: rule.id });
    expect(Date.parse(after.nextRunAt) - Date.parse(after.lastRunAt)).toBe(60 * 60_000);
  });

  it('records documents whose values cannot be compared, and not the plain mismatches', async () => {
    const profileId = await profile('Amount check');
    const rule = await scheduleRule(profileId, {
      name: 'Small amounts: approve',
      intervalMinutes: 1,
      conditions: [{ field: 'total_amount', operator: 'LESS_THAN', value: '100' }],
      action: { type: 'FLAG_REVIEW' },
    });
    const small = await reviewed(profileId, 'Small Ltd');
    const large = await reviewed(profileId, 'Large Ltd');
    const garbled = await reviewed(profileId, 'Garbled Ltd');
    for (const [id, amount] of [[small, '42.50'], [large, '1,200.00'], [garbled, 'forty']] as const) {
      await t.ok(`mutation($id: ID!, $f: JSON) { updateDocument(id: $id, input: { fields: $f }) { id } }`, { id, f: { total_amount: amount } });
      await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: EXCEPTION) { id } }`, { id });
    }
    await makeDue(rule.id);
    await t.app.rules.runOnce();
    expect(await statusOf(small)).toBe('NEEDS_REVIEW');
    expect(await statusOf(large)).toBe('EXCEPTION');
    expect(await statusOf(garbled)).toBe('EXCEPTION');
    const recorded = await executionsOf(rule.id);
    expect(recorded.map((e) => [e.document.id, e.outcome, e.error])).toEqual([
      [garbled, 'SKIPPED', 'total_amount "forty" is not a number'],
      [small, 'APPLIED', null],
    ]);
  });

  it('runs a due schedule once across two instances, and carries on after a restart', async () => {
    const profileId = await profile('Two instances');
    const rule = await scheduleRule(profileId, {
      name: 'Export old READY documents',
      intervalMinutes: 30,
      conditions: [{ field: 'days_in_status', operator: 'GREATER_THAN', value: '1' }],
      action: { type: 'SET_STATUS', status: 'EXPORT' },
    });
    const docs = [await reviewed(profileId, 'One Ltd'), await reviewed(profileId, 'Two Ltd'), await reviewed(profileId, 'Three Ltd')];
    for (const id of docs) await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: READY) { id } }`, { id });
    await sql(t, `update documents set status_changed_at = now() - interval '2 days' where id in (?, ?, ?)`, docs.map(Number));

    const second = await startTestApp({}, t.databaseUrl);
    try {
      await second.app.rules.stop(); // stepped by hand, like the first
      await makeDue(rule.id);
      const ran = await Promise.all([t.app.rules.runOnce(), second.app.rules.runOnce()]);
      expect(ran.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await Promise.all([t.app.rules.runOnce(), second.app.rules.runOnce()])).toEqual([0, 0]);
      for (const id of docs) expect(await statusOf(id)).toBe('EXPORT');
      const [events] = await sql<{ n: string }>(t, `select count(*) as n from events where type = 'document.exported' and entity_id in (?, ?, ?)`, docs.map(Number));
      expect(Number(events!.n)).toBe(3);
      expect(await executionsOf(rule.id)).toHaveLength(3);
    } finally {
      await second.stop();
    }

    // A new instance on the same database keeps the schedule: not due again until its interval has passed.
    const restarted = await startTestApp({}, t.databaseUrl);
    try {
      await restarted.app.rules.stop();
      expect(await restarted.app.rules.runOnce()).toBe(0);
      const late = await reviewed(profileId, 'Late Ltd');
      await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: READY) { id } }`, { id: late });
      await sql(t, `update documents set status_changed_at = now() - interval '3 days' where id = ?`, [Number(late)]);
      await makeDue(rule.id);
      expect(await restarted.app.rules.runOnce()).toBe(1);
      expect(await statusOf(late)).toBe('EXPORT');
    } finally {
      await restarted.stop();
    }
  });

  it('moves stale documents between folders of their own contact, leaving locked ones alone', async () => {
    const profileId = await profile('Folders');
    const { createContact } = await t.ok(`mutation { createContact(input: { name: "Mover Ltd", type: CLIENT }) { id folders { edges { node { id name } } } } }`);
    const [documents, review] = createContact.folders.edges.map((e: { node: { id: string } }) => e.node.id);
    const { createRule: rule } = await t.ok(`mutation($i: RuleInput!) { createRule(input: $i) { id contact { id } } }`, {
      i: {
        name: 'Stale to Review',
        trigger: 'SCHEDULE',
        intervalMinutes: 10,
        profileId,
        conditions: [{ field: 'days_in_status', operator: 'GREATER_THAN', value: '0.5' }],
        action: { type: 'MOVE_FOLDER', folderId: review },
      },
    });
    expect(rule.contact.id).toBe(createContact.id);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { createDocument } = await t.ok(`mutation($f: ID!, $p: ID) { createDocument(input: { folderId: $f, filename: "m.pdf", profileId: $p }) { id } }`, { f: documents, p: profileId });
      ids.push(createDocument.id);
    }
    const [open, archived] = ids as [string, string];
    await t.ok(`mutation($id: ID!) { setDocumentStatus(id: $id, status: ARCHIVED) { id } }`, { id: archived });
    await sql(t, `update documents set status_changed_at = now() - interval '1 day' where id in (?, ?)`, ids.map(Number));
    await makeDue(rule.id);
    await t.app.rules.runOnce();
    const { a, b } = await t.ok(`query($a: ID!, $b: ID!) { a: document(id: $a) { folder { id } } b: document(id: $b) { folder { id } } }`, { a: open, b: archived });
    expect(a.folder.id).toBe(review);
    expect(b.folder.id).toBe(documents);
    expect(await executionsOf(rule.id)).toMatchObject([{ document: { id: open }, outcome: 'APPLIED' }]);
  });
});
