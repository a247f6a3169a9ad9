import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, ValidationError } from '../../errors.js';
import { folderPayload } from '../../events/payloads.js';
import { recordEvent } from '../../outbox/record-event.js';
import { Contact, type IContact } from '../contacts/contact.entity.js';
import type { EventSettings } from '../events-context.js';
import { LIMITS, parseId, requiredText } from '../validate.js';
import { Folder, type IFolder } from './folder.entity.js';

function payloadOf(folder: IFolder, contact: IContact) {
  return folderPayload({ ...folder, contact: { id: contact.id, name: contact.name } });
}

/** Creates a folder and records folder.created inside the caller's transaction. */
export async function createFolderInTransaction(tx: EntityManager, contact: IContact, name: string, settings: EventSettings) {
  const folder = tx.create(Folder, { name, contact });
  await tx.flush();
  await recordEvent(tx, { type: 'folder.created', entityId: folder.id, payload: payloadOf(folder, contact) }, settings.maxPayloadBytes);
  return folder;
}

export async function createFolder(em: EntityManager, input: { name: string; contactId: string }, settings: EventSettings) {
  const name = requiredText('name', input.name, LIMITS.name);
  const contactId = parseId('contactId', input.contactId);
  return em.transactional(async (tx) => {
    const contact = await tx.findOne(Contact, contactId);
    if (!contact) throw new NotFoundError('Contact', input.contactId);
    return createFolderInTransaction(tx, contact, name, settings);
  });
}

export async function updateFolder(em: EntityManager, id: string, input: { name?: string | null }, settings: EventSettings) {
  const folderId = parseId('id', id);
  if (input.name === null) throw new ValidationError('name must not be null', { field: 'name', value: null });
  const name = input.name === undefined ? undefined : requiredText('name', input.name, LIMITS.name);
  return em.transactional(async (tx) => {
    const folder = await tx.findOne(Folder, folderId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!folder) throw new NotFoundError('Folder', id);
    if (name === undefined || name === folder.name) return folder;
    folder.name = name;
    await tx.flush();
    const contact = await folder.contact.loadOrFail();
    await recordEvent(tx, { type: 'folder.updated', entityId: folder.id, payload: payloadOf(folder, contact) }, settings.maxPayloadBytes);
    return folder;
  });
}
