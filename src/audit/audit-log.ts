import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteInBatches } from '../db/delete-in-batches.js';

/** Who changed the configuration: the token's name (and id, as names need not be unique). */
export type Actor = { name: string; tokenId: number | null };

/** What one entry records; `changes` never holds a secret's value, only that it was set or rotated. */
export type AuditRecord = {
  action: string;
  subject?: string | null;
  changes?: Record<string, unknown> | null;
};

export type AuditRow = {
  id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  changes: unknown;
};

/** Records a change on the connection of the change's own transaction: both commit, or neither. */
export async function recordAudit(tx: EntityManager, actor: Actor, entry: AuditRecord): Promise<void> {
  await tx.execute('insert into audit_log (actor, actor_token_id, action, subject, changes) values (?, ?, ?, ?, ?::jsonb)', [
    actor.name,
    actor.tokenId,
    entry.action,
    entry.subject ?? null,
    entry.changes == null ? null : JSON.stringify(entry.changes),
  ]);
}

/** Newest first; `before` is the id of the last entry of the previous page. The id is qualified: the output column of that name is text. */
export function listAudit(em: EntityManager, first: number, before: number | undefined): Promise<AuditRow[]> {
  return em.execute<AuditRow[]>(
    `select id::text as id, at, actor, action, subject, changes from audit_log
     where ?::bigint is null or audit_log.id < ?::bigint order by audit_log.id desc limit ?`,
    [before ?? null, before ?? null, first + 1],
  );
}

/** Deletes entries older than AUDIT_RETENTION, in batches. */
export function purgeAudit(em: EntityManager, retentionMs: number, batch = 5_000): Promise<number> {
  return deleteInBatches(
    em,
    `delete from audit_log where id in (
       select id from audit_log where at < now() - make_interval(secs => ?) order by at limit ?)
     returning 1`,
    [retentionMs / 1000],
    batch,
  );
}
