import { statement, type Sql, type Statement } from '../../db/sql.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { contactPayloadSql, folderPayloadSql } from '../../events/payload-sql.js';
import { EVENTS_APPENDED, appendEventsSql } from '../../outbox/append-events.js';
import { entityLockSql } from '../../outbox/entity-lock.js';
import type { EventSettings } from '../events-context.js';
import { LIMITS, optionalEmail, optionalText, parseId, requiredText } from '../validate.js';
import type { ContactType } from './contact.entity.js';
import { contactFromJson, type ContactJson, type ContactModel } from './contact-model.js';

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

const CONTACT_COLUMNS = 'id, name, type, email, phone, notes, parent_id, default_profile_id, created_at, updated_at';

/** What a contact statement found besides the row: the checks that need the database. */
type Checks = { parent_found: boolean; cycle: boolean; profile_found: boolean };

/**
 * The contact, its two folders and their three events (contact.created, then folder.created
 * twice), in one statement. Parameters: name, type, email, phone, notes, parent, profile,
 * folder names, payload limit.
 */
const CREATE_CONTACT = statement(
  'create-contact',
  `with checks as (
  select $6::int is null or exists (select 1 from contacts where id = $6::int) as parent_found, false as cycle,
    $7::int is null or exists (select 1 from extraction_profiles where id = $7::int) as profile_found
), contact as (
  insert into contacts (name, type, email, phone, notes, parent_id, default_profile_id, created_at, updated_at)
  select $1::text, $2::text::contact_type, $3::text, $4::text, $5::text, $6::int, $7::int, now(), now()
  from checks k where k.parent_found and k.profile_found
  returning ${CONTACT_COLUMNS}
), folders as (
  insert into folders (name, contact_id, created_at, updated_at)
  select f.name, c.id, now(), now() from contact c, unnest($8::text[]) with ordinality as f(name, n) order by f.n
  returning id, name, contact_id, created_at, updated_at
), new_events (type, entity_id, payload, ord) as (
  select 'contact.created', c.id, ${contactPayloadSql('c')}, 0 from contact c
  union all
  select 'folder.created', f.id, ${folderPayloadSql('f', 'c')}, f.id from folders f join contact c on c.id = f.contact_id
), ${appendEventsSql('new_events', '$9::int')}
select k.*, (select row_to_json(c) from contact c) as contact, ${EVENTS_APPENDED} from checks k`,
);

export async function createContact(sql: Sql, input: ContactInput & { name: string; type: ContactType }, settings: EventSettings): Promise<ContactModel> {
  const name = requiredText('name', input.name, LIMITS.name);
  const email = optionalEmail('email', input.email ?? null);
  const phone = optionalText('phone', input.phone ?? null, LIMITS.phone);
  const notes = optionalText('notes', input.notes ?? null, LIMITS.notes);
  const parentId = input.parentId != null ? parseId('parentId', input.parentId) : null;
  const profileId = input.defaultProfileId != null ? parseId('defaultProfileId', input.defaultProfileId) : null;
  const [row] = await sql.rows<Checks & { contact: ContactJson | null }>(CREATE_CONTACT, [
    name,
    input.type,
    email,
    phone,
    notes,
    parentId,
    profileId,
    DEFAULT_FOLDERS,
    settings.maxPayloadBytes,
  ]);
  assertChecks(row!, input);
  return contactFromJson(row!.contact!);
}

/** How each column's new value is cast: every use of a parameter has the same type. */
const COLUMN_TYPES: Record<string, string> = {
  name: 'text',
  type: 'text::contact_type',
  email: 'text',
  phone: 'text',
  notes: 'text',
  parent_id: 'int',
  default_profile_id: 'int',
};

/**
 * The statement of one updateContact shape: lock the row, check a new parent (it exists and is
 * not the contact or one of its descendants) and a new profile, update when a value changes
 * and append contact.updated. Parameters: id, payload limit, then one per changed column.
 */
function updateContactStatement(columns: readonly string[], parent: boolean, profile: boolean) {
  const value = (column: string) => `$${columns.indexOf(column) + 3}::${COLUMN_TYPES[column]}`;
  const set = columns.map((column) => `${column} = ${value(column)}`);
  const changed = columns.map((column) => `c.${column} is distinct from ${value(column)}`);
  return statement(
    'update-contact',
    `with recursive ${
      parent
        ? `ancestors as (
  select id, parent_id from contacts where id = ${value('parent_id')}
  union select c.id, c.parent_id from contacts c join ancestors a on c.id = a.parent_id
), `
        : ''
    }entity_lock as (${entityLockSql('contacts', '$1::int')}
), target as (
  -- The locks order concurrent changes of one contact, so its events are logged in order.
  select c.* from contacts c, entity_lock where c.id = $1::int for update of c
), checks as (
  select ${parent ? `${value('parent_id')} is null or exists (select 1 from contacts where id = ${value('parent_id')})` : 'true'} as parent_found,
    ${parent ? 'exists (select 1 from ancestors where id = $1::int)' : 'false'} as cycle,
    ${profile ? `${value('default_profile_id')} is null or exists (select 1 from extraction_profiles where id = ${value('default_profile_id')})` : 'true'} as profile_found
), updated as (
  update contacts c set ${set.join(', ')}, updated_at = now()
  from target t, checks k
  where c.id = t.id and k.parent_found and not k.cycle and k.profile_found and (${changed.join(' or ') || 'false'})
  returning ${CONTACT_COLUMNS.split(', ').map((column) => `c.${column}`).join(', ')}
), new_events (type, entity_id, payload, ord) as (
  select 'contact.updated', u.id, ${contactPayloadSql('u')}, 1 from updated u
), ${appendEventsSql('new_events', '$2::int')}
select k.*, case when u.id is null then row_to_json(t) else row_to_json(u) end as contact, ${EVENTS_APPENDED}
from target t cross join checks k left join updated u on true`,
  );
}

/** The statements of the shapes seen so far, by their columns: built and digested once. */
const UPDATE_SHAPES = new Map<string, Statement>();

export async function updateContact(sql: Sql, id: string, input: ContactInput, settings: EventSettings): Promise<ContactModel> {
  const contactId = parseId('id', id);
  const changes = new Map<string, unknown>();
  if (input.name !== undefined) {
    if (input.name === null) throw new ValidationError('name must not be null', { field: 'name', value: null });
    changes.set('name', requiredText('name', input.name, LIMITS.name));
  }
  if (input.type !== undefined) {
    if (input.type === null) throw new ValidationError('type must not be null', { field: 'type', value: null });
    changes.set('type', input.type);
  }
  if (input.email !== undefined) changes.set('email', optionalEmail('email', input.email));
  if (input.phone !== undefined) changes.set('phone', optionalText('phone', input.phone, LIMITS.phone));
  if (input.notes !== undefined) changes.set('notes', optionalText('notes', input.notes, LIMITS.notes));
  if (input.parentId !== undefined) changes.set('parent_id', input.parentId === null ? null : parseId('parentId', input.parentId));
  if (input.defaultProfileId !== undefined) {
    changes.set('default_profile_id', input.defaultProfileId === null ? null : parseId('defaultProfileId', input.defaultProfileId));
  }
  const columns = [...changes.keys()];
  const shape = columns.join(',');
  let update = UPDATE_SHAPES.get(shape);
  if (!update) UPDATE_SHAPES.set(shape, (update = updateContactStatement(columns, changes.has('parent_id'), changes.has('default_profile_id'))));
  const [row] = await sql.rows<Checks & { contact: ContactJson }>(update, [contactId, settings.maxPayloadBytes, ...changes.values()]);
  if (!row) throw new NotFoundError('Contact', id);
  assertChecks(row, input, contactId);
  return contactFromJson(row.contact);
}

function assertChecks(checks: Checks, input: ContactInput, contactId?: number): void {
  if (!checks.parent_found) throw new NotFoundError('Contact', input.parentId!);
  if (!checks.profile_found) throw new NotFoundError('ExtractionProfile', input.defaultProfileId!);
  if (checks.cycle) {
    throw new ValidationError(`Contact ${input.parentId} cannot be the parent of contact ${contactId}: that would make a cycle`, {
      field: 'parentId',
      value: input.parentId,
    });
  }
}
