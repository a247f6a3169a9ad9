import type { GraphQLClient } from './graphql-client.js';

/**
 * What the whole-flow benchmarks (flow.ts, endpoints.ts) drive through the public API: seeded
 * contacts with a folder and an approved document each, and the event log read back to learn
 * which events a load wrote.
 */
export type Entities = { contacts: string[]; folders: string[]; documents: string[] };

/** The event-producing mutations the load benchmarks send, each as a user would. */
export const MUTATIONS = {
  updateContact: 'mutation ($id: ID!, $name: String!) { updateContact(id: $id, input: { name: $name }) { id } }',
  updateFolder: 'mutation ($id: ID!, $name: String!) { updateFolder(id: $id, input: { name: $name }) { id } }',
  exportDocument: 'mutation ($id: ID!) { exportDocument(id: $id) { id } }',
  createContact: 'mutation ($name: String!) { createContact(input: { name: $name, type: CLIENT }) { id } }',
  createFolder: 'mutation ($name: String!, $contactId: ID!) { createFolder(input: { name: $name, contactId: $contactId }) { id } }',
};

/**
 * `count` contacts, each with its first folder and one document in it, extracted (docType
 * "Invoice", the score `confidence(i)` gives) and APPROVED, so that every mutation of a mix has
 * its entity and exportDocument may run on each document again and again.
 */
export async function seedEntities(client: GraphQLClient, count: number, confidence: (i: number) => number = () => 95): Promise<Entities> {
  const entities: Entities = { contacts: [], folders: [], documents: [] };
  for (let i = 0; i < count; i++) {
    const { createContact } = await client.request<{ createContact: { id: string; folders: { edges: { node: { id: string } }[] } } }>(
      'mutation ($name: String!) { createContact(input: { name: $name, type: VENDOR }) { id folders(first: 1) { edges { node { id } } } } }',
      { name: `Seed ${i}` },
    );
    entities.contacts.push(createContact.id);
    entities.folders.push(createContact.folders.edges[0]!.node.id);
    const { createDocument } = await client.request<{ createDocument: { id: string } }>(
      'mutation ($folderId: ID!) { createDocument(input: { folderId: $folderId, filename: "invoice.pdf" }) { id } }',
      { folderId: entities.folders[i] },
    );
    const id = createDocument.id;
    await client.request('mutation ($id: ID!, $score: Int!) { recordExtraction(id: $id, input: { confidenceScore: $score, docType: "Invoice" }) { id } }', {
      id,
      score: confidence(i),
    });
    for (const status of ['READY', 'APPROVED']) {
      await client.request('mutation ($id: ID!, $s: DocumentStatus!) { setDocumentStatus(id: $id, status: $s) { id } }', { id, s: status });
    }
    entities.documents.push(id);
  }
  return entities;
}

/** An event of the log as the benchmarks match it: the payload fields they use, as the webhooks carry them. */
export type LoggedEvent = {
  id: string;
  type: string;
  payload: { id?: number; name?: string; contact_name?: string; contact_id?: number; folder_id?: number; confidence_score?: number | null };
};

/** Every event after the cursor, in log order, and the cursor after the last (`after` when there is none). */
export async function eventsAfter(client: GraphQLClient, after: string | null): Promise<{ events: LoggedEvent[]; last: string | null }> {
  const events: LoggedEvent[] = [];
  let cursor = after;
  for (;;) {
    const { events: page } = await client.request<{ events: { edges: { node: LoggedEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
      'query ($after: String) { events(first: 500, after: $after) { edges { node { id type payload } } pageInfo { hasNextPage endCursor } } }',
      { after: cursor },
    );
    events.push(...page.edges.map((e) => e.node));
    cursor = page.pageInfo.endCursor ?? cursor;
    if (!page.pageInfo.hasNextPage) return { events, last: cursor };
  }
}
