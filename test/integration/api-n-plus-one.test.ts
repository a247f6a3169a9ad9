import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

/** The tables a query of contacts, folders and documents reads, with the token check. */
const REQUEST_TABLES = /\b(api_tokens|contacts|folders|documents|extraction_profiles)\b/;

/**
 * Counts the SQL statements the service sends on the tables of the request while `run` runs.
 * Every statement of the ORM, raw or built, goes through the one Connection's execute(); the
 * webhook worker is off in this file, and what else runs in the background (the event log
 * readers) reads other tables.
 */
async function statementsDuring(orm: MikroORM, run: () => Promise<unknown>): Promise<number> {
  const connection = orm.em.getConnection();
  const execute = connection.execute;
  let count = 0;
  connection.execute = function (this: typeof connection, ...args: Parameters<typeof execute>) {
    if (REQUEST_TABLES.test(String(args[0]))) count++;
    return execute.apply(this, args);
  } as typeof execute;
  try {
    await run();
  } finally {
    connection.execute = execute;
  }
  return count;
}

const CONTACTS = 20;
const FOLDERS_PER_CONTACT = 3; // Documents, Review and one more
const DOCUMENTS_PER_FOLDER = 3;
const PROFILES = 5;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_WORKER: 'false' });
  const profiles = await t.ok(
    `mutation { ${Array.from({ length: PROFILES }, (_, i) => `p${i}: createExtractionProfile(input: { name: "Profile ${i}", fieldLabels: ["Field"] }) { id }`).join(' ')} }`,
  );
  const contacts = await t.ok(
    `mutation { ${Array.from(
      { length: CONTACTS },
      (_, i) => `c${i}: createContact(input: { name: "Contact ${i}", type: CLIENT, defaultProfileId: ${profiles[`p${i % PROFILES}`].id}${i > 0 ? ', parentId: 1' : ''} }) { id }`,
    ).join(' ')} }`,
  );
  await t.ok(`mutation { ${Array.from({ length: CONTACTS }, (_, i) => `f${i}: createFolder(input: { name: "Extra", contactId: ${contacts[`c${i}`].id} }) { id }`).join(' ')} }`);
  const { folders } = await t.ok(`{ folders(first: 500) { edges { node { id } } } }`);
  const folderIds: string[] = folders.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(folderIds).toHaveLength(CONTACTS * FOLDERS_PER_CONTACT);
  await t.ok(
    `mutation { ${folderIds
      .flatMap((id) => Array.from({ length: DOCUMENTS_PER_FOLDER }, (_, j) => `d${id}_${j}: createDocument(input: { folderId: ${id}, filename: "doc-${id}-${j}.pdf" }) { id }`))
      .join(' ')} }`,
  );
});
afterAll(async () => {
  await t.stop();
});

describe('nested fields resolve in a constant number of statements', () => {
  it('documents with their contact, folder and profile', async () => {
    const query = `query($n: Int) { documents(first: $n) { edges { node { id filename contact { name parent { name } } folder { name contact { name } } profile { name fields { key } } } } } }`;
    const measure = async (n: number) =>
      statementsDuring(t.app.database.orm, async () => {
        const { documents } = await t.ok(query, { n });
        expect(documents.edges).toHaveLength(n);
        // Fifty documents belong to several contacts, with several folders and profiles: a per-row fetch would show.
        const contacts = new Set(documents.edges.map((e: any) => e.node.contact.name));
        if (n === 50) expect(contacts.size).toBeGreaterThan(5);
        expect(documents.edges.every((e: any) => e.node.profile?.name.startsWith('Profile '))).toBe(true);
      });
    const few = await measure(5);
    const many = await measure(50);
    expect(many).toBe(few);
    // The token check, the page, then one batch each for contacts, parents, folders and profiles.
    expect(many).toBeLessThanOrEqual(8);
  });

  it('contacts with their folders with their documents', async () => {
    const query = `query($n: Int) { contacts(first: $n) { edges { node { name parent { name } defaultProfile { name }
      folders { edges { node { name documents { edges { node { filename folder { name } contact { name } } } pageInfo { hasNextPage } } } } } } } } }`;
    const measure = async (n: number) =>
      statementsDuring(t.app.database.orm, async () => {
        const { contacts } = await t.ok(query, { n });
        expect(contacts.edges).toHaveLength(n);
        for (const { node } of contacts.edges) {
          expect(node.folders.edges).toHaveLength(FOLDERS_PER_CONTACT);
          for (const folder of node.folders.edges) expect(folder.node.documents.edges).toHaveLength(DOCUMENTS_PER_FOLDER);
        }
      });
    const few = await measure(2);
    const many = await measure(CONTACTS);
    expect(many).toBe(few);
    // The token check, the page, parents, profiles, then two statements per nested list and one batch of contacts.
    expect(many).toBeLessThanOrEqual(9);
  });
});
