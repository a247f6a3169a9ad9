import type { IFolder } from './folder.entity.js';

/** What the GraphQL Folder type reads: an ORM entity, or a folder as a change's statement returned it. */
export type FolderModel = Omit<IFolder, 'contact'> & { contact: { id: number } };

/** A folders row as row_to_json writes it. */
export type FolderJson = { id: number; name: string; contact_id: number; created_at: string; updated_at: string };

export function folderFromJson(row: FolderJson): FolderModel {
  return {
    id: row.id,
    name: row.name,
    contact: { id: row.contact_id },
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
