import { statement, type Sql } from '../../db/sql.js';
import { documentPayloadSql } from '../../events/payload-sql.js';
import { EVENTS_APPENDED, appendEventsSql } from '../../outbox/append-events.js';
import { entityLockSql } from '../../outbox/entity-lock.js';
import type { EventSettings } from '../events-context.js';
import { documentFromJson, type DocumentJson, type DocumentModel } from './document-model.js';
import type { DocumentStatus } from './lifecycle.js';

/**
 * Every status change of a document, from the API (setDocumentStatus, exportDocument) and from
 * a rule's action, is this statement: lock the row, move it when its status is one of
 * `from`, and append document.exported, with the payload of the row as written, when it enters
 * EXPORT (or, for exportDocument, is exported again). One round trip. Parameters: document,
 * target status, the statuses it may move from, whether an EXPORT document exports again,
 * public URL, payload limit.
 */
const MOVE_STATUS = statement(
  'move-status',
  `with entity_lock as (${entityLockSql('documents', '$1::int')}
), target as (
  -- The locks order concurrent changes of one document, so its events are logged in order.
  select d.* from documents d, entity_lock where d.id = $1::int for update of d
), moved as (
  update documents d set status = $2::text::document_status,
    status_changed_at = case when d.status::text = $2::text then d.status_changed_at else now() end,
    updated_at = case when d.status::text = $2::text then d.updated_at else now() end
  from target t
  where d.id = t.id and t.status::text = any($3::text[])
    and (t.status::text <> $2::text or ($2::text = 'EXPORT' and $4::boolean))
  returning d.*, t.status as from_status
), new_events (type, entity_id, payload, ord) as (
  select 'document.exported', m.id, ${documentPayloadSql('m', 'c', 'f', '$5::text')}, 1
  from moved m join contacts c on c.id = m.contact_id join folders f on f.id = m.folder_id
  where m.status = 'EXPORT'
), ${appendEventsSql('new_events', '$6::int')}
select t.status as from_status, m.id is not null as moved,
  case when m.id is null then row_to_json(t) else row_to_json(m) end as document, ${EVENTS_APPENDED}
from target t left join moved m on true`,
);

export type StatusMove = {
  /** The status the document had; null when there is no such document. */
  from: DocumentStatus | null;
  /** Whether the statement wrote (a move, or an export again). */
  moved: boolean;
  document: DocumentModel | null;
};

export async function moveStatus(
  sql: Sql,
  move: { documentId: number; to: DocumentStatus; from: readonly DocumentStatus[]; exportAgain: boolean },
  settings: EventSettings,
): Promise<StatusMove> {
  const [row] = await sql.rows<{ from_status: DocumentStatus; moved: boolean; document: DocumentJson }>(MOVE_STATUS, [
    move.documentId,
    move.to,
    move.from,
    move.exportAgain,
    settings.publicUrl,
    settings.maxPayloadBytes,
  ]);
  if (!row) return { from: null, moved: false, document: null };
  return { from: row.from_status, moved: row.moved, document: documentFromJson(row.document) };
}
