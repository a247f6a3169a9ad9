import type { ContactType, IContact } from './contact.entity.js';

/**
 * What the GraphQL Contact type reads: an ORM entity, or a contact as a change's statement
 * returned it (row_to_json of its row), which needs no EntityManager.
 */
export type ContactModel = Omit<IContact, 'parent' | 'defaultProfile'> & {
  parent?: { id: number } | null;
  defaultProfile?: { id: number } | null;
};

/** A contacts row as row_to_json writes it. */
export type ContactJson = {
  id: number;
  name: string;
  type: ContactType;
  email: string | null;
  phone: string | null;
  notes: string | null;
  parent_id: number | null;
  default_profile_id: number | null;
  created_at: string;
  updated_at: string;
};

export function contactFromJson(row: ContactJson): ContactModel {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    email: row.email,
    phone: row.phone,
    notes: row.notes,
    parent: row.parent_id === null ? null : { id: row.parent_id },
    defaultProfile: row.default_profile_id === null ? null : { id: row.default_profile_id },
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
