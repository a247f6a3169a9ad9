import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Contact, type IContact } from '../domain/contacts/contact.entity.js';
import { Document, type IDocument } from '../domain/documents/document.entity.js';
import { Folder, type IFolder } from '../domain/folders/folder.entity.js';
import { ExtractionProfile, type IExtractionProfile } from '../domain/profiles/extraction-profile.entity.js';
import { attemptsOf, type AttemptRow } from '../webhooks/delivery-log.js';

/** Batches the lookups of nested fields (document.contact, contact.folders, …): one query per level, not per row. */
export type Loaders = ReturnType<typeof createLoaders>;

type PageKey = { parentId: number; first: number; after: number };

function byId<T extends { id: number }>(rows: T[], ids: readonly number[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

/**
 * One page of children for many parents at once: a lateral join takes `first + 1` rows
 * after the cursor for each parent, so a list of 50 contacts with their folders costs two
 * queries, not 51.
 */
function pageLoader<T extends { id: number }>(
  em: EntityManager,
  entity: typeof Folder | typeof Document,
  table: string,
  parentColumn: string,
  prime: (row: T) => void = () => {},
) {
  return new DataLoader<PageKey, T[], string>(
    async (keys) => {
      const groups = new Map<string, PageKey[]>();
      for (const key of keys) {
        const group = `${key.first}:${key.after}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const idsByParent = new Map<number, number[]>();
      for (const group of groups.values()) {
        const { first, after } = group[0]!;
        const rows = await em.execute<{ parent: number; id: number }[]>(
          `select p.parent, c.id from (select value::int as parent from jsonb_array_elements_text(?::jsonb)) as p
           cross join lateral (select id from ${table} where ${parentColumn} = p.parent and id > ? order by id limit ?) c`,
          [JSON.stringify(group.map((k) => k.parentId)), after, first + 1],
        );
        for (const r of rows) idsByParent.set(r.parent, [...(idsByParent.get(r.parent) ?? []), r.id]);
      }
      const allIds = [...idsByParent.values()].flat();
      const entities = allIds.length ? ((await em.find(entity as typeof Folder, { id: { $in: allIds } })) as unknown as T[]) : [];
      const map = new Map(entities.map((e) => [e.id, e]));
      entities.forEach(prime);
      return keys.map((k) => (idsByParent.get(k.parentId) ?? []).map((id) => map.get(id)!).filter(Boolean));
    },
    { cacheKeyFn: (k) => `${k.parentId}:${k.first}:${k.after}` },
  );
}

export function createLoaders(em: EntityManager) {
  const folder = new DataLoader<number, IFolder | null>(async (ids) => byId(await em.find(Folder, { id: { $in: [...ids] } }), ids));
  return {
    contact: new DataLoader<number, IContact | null>(async (ids) => byId(await em.find(Contact, { id: { $in: [...ids] } }), ids)),
    folder,
    profile: new DataLoader<number, IExtractionProfile | null>(async (ids) =>
      byId(await em.find(ExtractionProfile, { id: { $in: [...ids] } }), ids),
    ),
    // A folder listed under its contact is the folder a document of it points to: no second read.
    foldersOfContact: pageLoader<IFolder>(em, Folder, 'folders', 'contact_id', (f) => folder.prime(f.id, f)),
    documentsOfFolder: pageLoader<IDocument>(em, Document, 'documents', 'folder_id'),
    attempts: new DataLoader<string, AttemptRow[]>((ids) => attemptsOf(em, ids)),
  };
}
