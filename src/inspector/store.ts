import { randomBytes } from 'node:crypto';
import type { SqlPool } from '../db/sql-pool.js';
import { NOTIFY } from '../db/notify-channels.js';

/** How long an inspector's URL answers and keeps what it received. */
export const INSPECTOR_TTL_MS = 24 * 60 * 60_000;
/** Requests kept per inspector: the newest ones. */
export const INSPECTOR_KEEP = 100;
/** The part of a request body that is kept; a webhook body is at most WEBHOOK_MAX_PAYLOAD_BYTES (256 KiB by default). */
export const INSPECTOR_MAX_BODY = 256 * 1024;
/** `insp_` and 24 hex digits: the id is the capability that lets anyone POST to the URL, so it is not guessable. */
export const INSPECTOR_ID = /^insp_[0-9a-f]{24}$/;

export type InspectorRow = { id: string; createdAt: Date; expiresAt: Date };

export type InspectorRequestRow = {
  id: string;
  inspectorId: string;
  receivedAt: Date;
  method: string;
  path: string;
  headers: { name: string; value: string }[];
  body: string;
  size: number;
  bodyTruncated: boolean;
};

export type IncomingRequest = Omit<InspectorRequestRow, 'id' | 'inspectorId' | 'receivedAt'>;

export async function createInspector(sql: SqlPool): Promise<InspectorRow> {
  const id = `insp_${randomBytes(12).toString('hex')}`;
  const { rows } = await sql.query<{ id: string; created_at: Date; expires_at: Date }>(
    `insert into inspectors (id, expires_at) values ($1, now() + make_interval(secs => $2)) returning id, created_at, expires_at`,
    [id, INSPECTOR_TTL_MS / 1000],
  );
  const r = rows[0]!;
  return { id: r.id, createdAt: r.created_at, expiresAt: r.expires_at };
}

/** The inspector while it has not expired; a malformed id names nothing. */
export async function findInspector(sql: SqlPool, id: string): Promise<InspectorRow | null> {
  if (!INSPECTOR_ID.test(id)) return null;
  const { rows } = await sql.query<{ id: string; created_at: Date; expires_at: Date }>(
    'select id, created_at, expires_at from inspectors where id = $1 and expires_at > now()',
    [id],
  );
  const r = rows[0];
  return r ? { id: r.id, createdAt: r.created_at, expiresAt: r.expires_at } : null;
}

/** The inspectors that have not expired, newest first (the unguessable id is their only key, so every token holder sees them all). */
export async function listInspectors(sql: SqlPool, limit: number): Promise<InspectorRow[]> {
  const { rows } = await sql.query<{ id: string; created_at: Date; expires_at: Date }>(
    'select id, created_at, expires_at from inspectors where expires_at > now() order by created_at desc, id limit $1',
    [limit],
  );
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, expiresAt: r.expires_at }));
}

type RawRequest = {
  id: string;
  inspector_id: string;
  received_at: Date;
  method: string;
  path: string;
  headers: { name: string; value: string }[];
  body: string;
  size: number;
  body_truncated: boolean;
};

const toRow = (r: RawRequest): InspectorRequestRow => ({
  id: r.id,
  inspectorId: r.inspector_id,
  receivedAt: r.received_at,
  method: r.method,
  path: r.path,
  headers: r.headers,
  body: r.body,
  size: r.size,
  bodyTruncated: r.body_truncated,
});

/**
 * Keeps a request of a live inspector, drops the ones past the newest INSPECTOR_KEEP and
 * wakes the viewers (on every instance) in the same statement. False when the inspector
 * does not exist or has expired.
 */
export async function recordRequest(sql: SqlPool, inspectorId: string, request: IncomingRequest): Promise<boolean> {
  if (!INSPECTOR_ID.test(inspectorId)) return false;
  const { rows } = await sql.query<{ id: string }>(
    `with kept as (
       insert into inspector_requests (inspector_id, method, path, headers, body, size, body_truncated)
       select id, $2, $3, $4, $5, $6, $7 from inspectors where id = $1 and expires_at > now()
       returning id, inspector_id
     ), trimmed as (
       delete from inspector_requests r using kept
       where r.inspector_id = kept.inspector_id
         and r.id < (select min(id) from (select id from inspector_requests where inspector_id = $1 order by id desc limit $8) newest)
     )
     select id, pg_notify('${NOTIFY.inspector}', inspector_id) from kept`,
    [inspectorId, request.method, request.path, JSON.stringify(request.headers), request.body, request.size, request.bodyTruncated, INSPECTOR_KEEP - 1],
  );
  return rows.length > 0;
}

/** Requests after `afterId`, oldest first. */
export async function requestsAfter(sql: SqlPool, inspectorId: string, afterId: string, limit: number): Promise<InspectorRequestRow[]> {
  const { rows } = await sql.query<RawRequest>(
    `select id, inspector_id, received_at, method, path, headers, body, size, body_truncated
     from inspector_requests where inspector_id = $1 and id > $2 order by id limit $3`,
    [inspectorId, afterId, limit],
  );
  return rows.map(toRow);
}

/** The newest `limit` requests, newest first. */
export async function latestRequests(sql: SqlPool, inspectorId: string, limit: number): Promise<InspectorRequestRow[]> {
  const { rows } = await sql.query<RawRequest>(
    `select id, inspector_id, received_at, method, path, headers, body, size, body_truncated
     from inspector_requests where inspector_id = $1 order by id desc limit $2`,
    [inspectorId, limit],
  );
  return rows.map(toRow);
}

/** Removes expired inspectors; their requests go with them. */
export async function purgeInspectors(sql: SqlPool): Promise<number> {
  const { rowCount } = await sql.query('delete from inspectors where expires_at <= now()');
  return rowCount ?? 0;
}
