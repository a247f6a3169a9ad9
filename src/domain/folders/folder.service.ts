import { statement, type Sql } from '../../db/sql.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { folderPayloadSql } from '../../events/payload-sql.js';
import { EVENTS_APPENDED, appendEventsSql } from '../../outbox/append-events.js';
import { entityLockSql } from '../../outbox/entity-lock.js';
import type { EventSettings } from '../events-context.js';
import { LIMITS, parseId, requiredText } from '../validate.js';
import { folderFromJson, type FolderJson, type FolderModel } from './folder-model.js';

const FOLDER_COLUMNS = 'id, name, contact_id, created_at, updated_at';

/** The folder and folder.created. Parameters: contact, name, payload limit. */
const CREATE_FOLDER = statement(
  'create-folder',
  `with contact as (
  select c.id, c.name from contacts c where c.id = $1::int
), folder as (
  insert into folders (name, contact_id, created_at, updated_at)
  select $2::text, c.id, now(), now() from contact c
  returning ${FOLDER_COLUMNS}
), new_events (type, entity_id, payload, ord) as (
  select 'folder.created', f.id, ${folderPayloadSql('f', 'c')}, 1 from folder f, contact c
), ${appendEventsSql('new_events', '$3::int')}
select (select row_to_json(f) from folder f) as folder, ${EVENTS_APPENDED}`,
);

/**
 * A new name and folder.updated, when the name changes (the locks order concurrent changes of
 * one folder, so its events are logged in order: outbox/entity-lock.ts); without a name ($2 null), the folder as
 * it is. Parameters: folder, name, payload limit.
 */
const UPDATE_FOLDER = statement(
  'update-folder',
  `with entity_lock as (${entityLockSql('folders', '$1::int')}
), target as (
  select f.* from folders f, entity_lock where f.id = $1::int for update of f
), updated as (
  update folders f set name = $2::text, updated_at = now()
  from target t where f.id = t.id and $2::text is not null and t.name is distinct from $2::text
  returning ${FOLDER_COLUMNS.split(', ').map((column) => `f.${column}`).join(', ')}
), new_events (type, entity_id, payload, ord) as (
  select 'folder.updated', u.id, ${folderPayloadSql('u', 'c')}, 1 from updated u join contacts c on c.id = u.contact_id
), ${appendEventsSql('new_events', '$3::int')}
select case when u.id is null then row_to_json(t) else row_to_json(u) end as folder, ${EVENTS_APPENDED}
from target t left join updated u on true`,
);

export async function createFolder(sql: Sql, input: { name: string; contactId: string }, settings: EventSettings): Promise<FolderModel> {
  const name = requiredText('name', input.name, LIMITS.name);
  const contactId = parseId('contactId', input.contactId);
  const [row] = await sql.rows<{ folder: FolderJson | null }>(CREATE_FOLDER, [contactId, name, settings.maxPayloadBytes]);
  if (!row?.folder) throw new NotFoundError('Contact', input.contactId);
  return folderFromJson(row.folder);
}

export async function updateFolder(sql: Sql, id: string, input: { name?: string | null }, settings: EventSettings): Promise<FolderModel> {
  const folderId = parseId('id', id);
  if (input.name === null) throw new ValidationError('name must not be null', { field: 'name', value: null });
  const name = input.name === undefined ? null : requiredText('name', input.name, LIMITS.name);
  const [row] = await sql.rows<{ folder: FolderJson }>(UPDATE_FOLDER, [folderId, name, settings.maxPayloadBytes]);
  if (!row) throw new NotFoundError('Folder', id);
  return folderFromJson(row.folder);
}
