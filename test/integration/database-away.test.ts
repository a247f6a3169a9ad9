import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeEmbeddedPostgresData, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';

/**
 * A PostgreSQL of this file's own, so that it can be stopped and started again under load
 * without touching the databases of other test files.
 */
const dataDir = path.resolve(`.data/t-away-${randomBytes(4).toString('hex')}`);
let server: EmbeddedPostgres | undefined;
let t: TestApp;

beforeAll(async () => {
  server = await startEmbeddedPostgres(dataDir, pino({ level: 'silent' }));
  t = await startTestApp({ WEBHOOK_WORKER: 'false' }, server.url);
});
afterAll(async () => {
  await t?.stop();
  await server?.stop();
  removeEmbeddedPostgresData(dataDir);
});

type Answer = { status: number; retryAfter: string | null; requestId: string | null; id?: string; codes: string[] };

async function createContact(name: string): Promise<Answer> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ query: 'mutation($n: String!) { createContact(input: { name: $n, type: CLIENT }) { id } }', variables: { n: name } }),
  });
  const body = (await res.json()) as { data?: { createContact?: { id: string } } | null; errors?: { extensions?: { code?: string; requestId?: string } }[] };
  const requestId = res.headers.get('x-request-id');
  for (const e of body.errors ?? []) expect(e.extensions?.requestId).toBe(requestId);
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    requestId,
    id: body.data?.createContact?.id,
    codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'none'),
  };
}

const readyz = async () => (await fetch(`${t.url}/readyz`)).status;

/** Calls until `until` holds, four at a time; every answer is kept. */
async function load(answers: Answer[], until: () => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!until()) answers.push(await createContact(`Load ${answers.length} ${randomBytes(3).toString('hex')}`));
    }),
  );
}

it('answers 503 SERVICE_UNAVAILABLE with Retry-After while the database is away, and every acknowledged change has its event', async () => {
  const answers: Answer[] = [];
  const acknowledged = () => answers.filter((a) => a.id).length;

  await load(answers, () => acknowledged() >= 20);

  // Backends killed under load: the connections in the pools are dead until they are replaced.
  const admin = new pg.Client({ connectionString: server!.url });
  await admin.connect();
  const loadDuringKill = load(answers, () => acknowledged() >= 60);
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  await loadDuringKill;
  await admin.end();

  // The server stopped under load.
  const beforeStop = answers.length;
  await server!.stop();
  server = undefined;
  expect(await readyz()).toBe(503);
  await load(answers, () => answers.filter((a, i) => i >= beforeStop && a.status === 503).length >= 8);
  expect(await readyz()).toBe(503);

  server = await startEmbeddedPostgres(dataDir, pino({ level: 'silent' }));
  const deadline = Date.now() + 20_000;
  while ((await readyz()) !== 200) expect(Date.now()).toBeLessThan(deadline);
  const afterRestart = answers.length;
  await load(answers, () => answers.slice(afterRestart).filter((a) => a.id).length >= 20);

  for (const a of answers) {
    if (a.id) {
      expect(a).toMatchObject({ status: 200, codes: [] });
    } else {
      expect(a).toMatchObject({ status: 503, retryAfter: '2', codes: ['SERVICE_UNAVAILABLE'] });
    }
    expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
  }
  expect(answers.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(8);

  // Nothing half-written: a contact exists with its event and two folders, or not at all.
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  try {
    const contacts = await db.query<{ id: string; events: string; folders: string }>(
      `select c.id::text,
         (select count(*) from events e where e.type = 'contact.created' and e.entity_id = c.id) as events,
         (select count(*) from folders f where f.contact_id = c.id) as folders
       from contacts c`,
    );
    const ids = answers.flatMap((a) => (a.id ? [a.id] : []));
    const byId = new Map(contacts.rows.map((r) => [r.id, r]));
    for (const id of ids) expect(byId.get(id)).toMatchObject({ events: '1', folders: '2' });
    for (const row of contacts.rows) expect(row).toMatchObject({ events: '1', folders: '2' });
  } finally {
    await db.end();
  }
});
