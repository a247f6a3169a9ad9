import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError } from '../../errors.js';
import { contactPayload } from '../../events/payloads.js';
import { recordEvent } from '../../outbox/record-event.js';
import type { EventSettings } from '../events-context.js';
import { createFolderInTransaction } from '../folders/folder.service.js';
import { ExtractionProfile } from '../profiles/extraction-profile.entity.js';
import { LIMITS, optionalEmail, optionalText, parseId, requiredText } from '../validate.js';
import { Contact, type ContactType, type IContact } from './contact.entity.js';

/** The folders every new contact starts with. */
export const DEFAULT_FOLDERS = ['Documents', 'Review'] as const;

export type ContactInput = {
  name?: string | null;
  type?: ContactType | null;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  parentId?: string | null;
  defaultProfileId?: string | null;
};

export async function createContact(em: EntityManager, input: ContactInput & { name: string; type: ContactType }, settings: EventSettings) {
  const name = requiredText('name', input.name, LIMITS.name);
  const email = optionalEmail('email', input.email ?? null);
  const phone = optionalText('phone', input.phone ?? null, LIMITS.phone);
  const notes = optionalText('notes', input.notes ?? null, LIMITS.notes);
  return em.transactional(async (tx) => {
    const parent = input.parentId != null ? await mustFindContact(tx, input.parentId, 'parentId') : null;
    const profile = input.defaultProfileId != null ? await mustFindProfile(tx, input.defaultProfileId) : null;
    const contact = tx.create(Contact, { name, type: input.type, email, phone, notes, parent, defaultProfile: profile });
    await tx.flush();
    await recordEvent(tx, { type: 'contact.created', entityId: contact.id, payload: contactPayload(contact) }, settings.maxPayloadBytes);
    for (const folderName of DEFAULT_FOLDERS) await createFolderInTransaction(tx, contact, folderName, settings);
    return contact;
  });
}

export async function updateContact(em: EntityManager, id: string, input: ContactInput, settings: EventSettings) {
  const contactId = parseId('id', id);
  const changes: Partial<Record<keyof IContact, unknown>> = {};
  if (input.name !== undefined) {
    if (input.name === null) throw new ValidationError('name must not be null', { field: 'name', value: null });
    changes.name = requiredText('name', input.name, LIMITS.name);
  }
  if (input.type !== undefined) {
    if (input.type === null) throw new ValidationError('type must not be null', { field: 'type', value: null });
    changes.type = input.type;
  }
  if (input.email !== undefined) changes.email = optionalEmail('email', input.email);
  if (input.phone !== undefined) changes.phone = optionalText('phone', input.phone, LIMITS.phone);
  if (input.notes !== undefined) changes.notes = optionalText('notes', input.notes, LIMITS.notes);

  return em.transactional(async (tx) => {
    // The row lock orders concurrent changes of one contact, so its events are logged in order.
    const contact = await tx.findOne(Contact, contactId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!contact) throw new NotFoundError('Contact', id);
    if (input.parentId !== undefined) {
      changes.parent = input.parentId === null ? null : await validParent(tx, contact.id, input.parentId);
    }
    if (input.defaultProfileId !== undefined) {
      changes.defaultProfile = input.defaultProfileId === null ? null : await mustFindProfile(tx, input.defaultProfileId);
    }
    const changed = Object.entries(changes).filter(([key, value]) => !sameValue(contact[key as keyof IContact], value));
    if (changed.length === 0) return contact;
    tx.assign(contact, Object.fromEntries(changed));
    await tx.flush();
    await recordEvent(tx, { type: 'contact.updated', entityId: contact.id, payload: contactPayload(contact) }, settings.maxPayloadBytes);
    return contact;
  });
}

/** Compares scalars by value and relations by id, so that an update that changes nothing fires nothing. */
function sameValue(current: unknown, next: unknown): boolean {
  const id = (v: unknown) => (v !== null && typeof v === 'object' && 'id' in v ? (v as { id: unknown }).id : v);
  return id(current ?? null) === id(next ?? null);
}

async function mustFindContact(em: EntityManager, id: string, field: string) {
  const contact = await em.findOne(Contact, parseId(field, id));
  if (!contact) throw new NotFoundError('Contact', id);
  return contact;
}

async function mustFindProfile(em: EntityManager, id: string) {
  const profile = await em.findOne(ExtractionProfile, parseId('defaultProfileId', id));
  if (!profile) throw new NotFoundError('ExtractionProfile', id);
  return profile;
}

/** A parent must exist and must not be the contact itself or one of its descendants. */
async function validParent(em: EntityManager, contactId: number, parentId: string) {
  const parent = await mustFindContact(em, parentId, 'parentId');
  const rows = await em.execute<{ id: number }[]>(
    `with recursive up as (select id, parent_id from contacts where id = ? union select c.id, c.parent_id from contacts c join up on c.id = up.parent_id)
     select id from up where id = ?`,
    [parent.id, contactId],
  );
  if (rows.length > 0) {
    throw new ValidationError(`Contact ${parentId} cannot be the parent of contact ${contactId}: that would make a cycle`, {
      field: 'parentId',
      value: parentId,
    });
  }
  return parent;
}
