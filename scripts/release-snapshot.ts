import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../bench/lib/children.js';

/**
 * Writes test/fixtures/release-<name>.sql: the database of a release of this service, as that
 * release wrote it (its migrations, its rows, deliveries still waiting for a receiver that
 * never answered, an endpoint's cursor), for test/integration/upgrade.test.ts to open with
 * today's code.
 *
 *   npm run release-snapshot -- --checkout ../an-older-release --name 0.1.0 --admin-url postgres://postgres@127.0.0.1:5432/postgres
 *
 * The checkout is a worktree of the older release with its own `npm ci` done; it runs there on
 * the Node its own scripts use. The dump is plain SQL with INSERTs (pg_dump), so the test
 * applies it with one client and no psql.
 */
const { values } = parseArgs({
  options: { checkout: { type: 'string' }, name: { type: 'string' }, 'admin-url': { type: 'string' } },
});
const checkout = path.resolve(values.checkout!);
const name = values.name!;
const adminUrl = values['admin-url']!;
const SNAPSHOT_TOKEN = `re_${'5'.repeat(40)}`;
const database = `release_snapshot_${name.replace(/\W/g, '_')}`;

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`drop database if exists ${database} with (force)`);
await admin.query(`create database ${database}`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;

const port = await freePort();
// A port nobody listens on: every attempt is refused, so deliveries wait with an attempt recorded.
// Their next attempt (10 s later) is long due when the snapshot is opened again.
const deadReceiver = `http://127.0.0.1:${await freePort()}/hooks`;
const service = spawn('npm', ['start'], {
  cwd: checkout,
  env: {
    ...process.env,
    DATABASE_URL: url.toString(),
    API_TOKEN: SNAPSHOT_TOKEN,
    PORT: String(port),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '10s',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
  // Its own process group: npm does not pass a signal on to the service it started.
  detached: true,
});
const signal = (name: NodeJS.Signals) => process.kill(-service.pid!, name);
process.on('exit', () => service.exitCode === null && signal('SIGKILL'));
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
  if (ready) break;
  if (i > 600) throw new Error('the older release did not become ready in 60 s');
  await new Promise((r) => setTimeout(r, 100));
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SNAPSHOT_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

await gql(`mutation ($url: String!) { configureWebhooks(input: { contact: { url: $url, enabled: true }, folder: { url: $url, enabled: true }, document: { url: $url, enabled: true }, bearerToken: "release-token" }) { offlineMode } }`, { url: deadReceiver });
const { createContact } = await gql<{ createContact: { id: string } }>(`mutation { createContact(input: { name: "Acme Corporation", type: CLIENT, email: "ap@acme.example" }) { id } }`);
await gql(`mutation ($id: ID!) { updateContact(id: $id, input: { phone: "+1 555 0100" }) { id } }`, { id: createContact.id });
const { createFolder } = await gql<{ createFolder: { id: string } }>(`mutation ($c: ID!) { createFolder(input: { name: "Invoices 2026", contactId: $c }) { id } }`, { c: createContact.id });
const { createExtractionProfile } = await gql<{ createExtractionProfile: { id: string } }>(`mutation { createExtractionProfile(input: { name: "Invoice", fieldLabels: ["Invoice Number", "Total Amount"] }) { id } }`);
const { createDocument } = await gql<{ createDocument: { id: string } }>(
  `mutation ($f: ID!, $p: ID!) { createDocument(input: { folderId: $f, filename: "inv-1.pdf", profileId: $p }) { id } }`,
  { f: createFolder.id, p: createExtractionProfile.id },
);
await gql(
  `mutation ($id: ID!, $fields: JSON) { recordExtraction(id: $id, input: { confidenceScore: 93, docType: "Invoice", fields: $fields, lineItems: [{ description: "Paper", quantity: 2, unitPrice: 60.25, amount: 120.5 }] }) { id } }`,
  { id: createDocument.id, fields: { 'Invoice Number': 'INV-1', 'Total Amount': '120.50' } },
);
for (const status of ['READY', 'APPROVED']) {
  await gql(`mutation ($id: ID!, $s: DocumentStatus!) { setDocumentStatus(id: $id, status: $s) { id } }`, { id: createDocument.id, s: status });
}
await gql(`mutation ($id: ID!) { exportDocument(id: $id) { id } }`, { id: createDocument.id });
// The endpoint is made after these changes: its cursor starts after them, so it owes only what follows.
await gql(`mutation ($url: String!) { createWebhookEndpoint(input: { url: $url, subscription: "subscription { contactChanged { id name phone } }", description: "contacts" }) { endpoint { id } } }`, { url: deadReceiver });
await gql(`mutation ($id: ID!) { updateContact(id: $id, input: { notes: "after the endpoint" }) { id } }`, { id: createContact.id });

// The head of every channel's queue per record has had its first attempt (refused; the rest
// wait behind it), and the endpoint's delivery exists: the dump holds attempts and waiting rows.
const probe = new pg.Client({ connectionString: url.toString() });
await probe.connect();
for (let i = 0; ; i++) {
  const { rows } = await probe.query<{ unattempted: number; endpoint: number }>(
    `select (select count(*)::int from (select distinct on (channel, entity_id) attempt_count from webhook_deliveries
                                         where status = 'PENDING' order by channel, entity_id, id) heads where attempt_count = 0) as unattempted,
            (select count(*)::int from webhook_deliveries where channel like 'endpoint:%') as endpoint`,
  );
  if (rows[0]!.unattempted === 0 && rows[0]!.endpoint > 0) break;
  if (i > 300) throw new Error('deliveries were not attempted within 30 s');
  await new Promise((r) => setTimeout(r, 100));
}
await probe.end();
signal('SIGTERM');
await new Promise((r) => service.once('exit', r));

const dump = spawnSync('pg_dump', ['--inserts', '--no-owner', '--no-privileges', '--no-comments', url.toString()], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (dump.status !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
// psql's meta-commands (\restrict of newer pg_dump) are not SQL; the test runs the dump through a plain client.
const sql = dump.stdout
  .split('\n')
  .filter((line) => !line.startsWith('\\'))
  .join('\n');
const target = path.resolve('test/fixtures', `release-${name}.sql`);
writeFileSync(target, `-- The database of release ${name} (scripts/release-snapshot.ts), token ${SNAPSHOT_TOKEN}.\n${sql}`);
await admin.query(`drop database ${database} with (force)`);
await admin.end();
console.log(`wrote ${target}`);
