import pg from 'pg';
import type { Logger } from 'pino';
import { boundRoundTrips } from './bounded-wait.js';
import { connectionOptions, DEFAULT_DATABASE_TIMEOUT_MS } from './connection-options.js';
import { OutageLog } from './outage-log.js';

export type SqlPool = pg.Pool;

/** The `date` type: a calendar date, kept as its YYYY-MM-DD text (a Date would shift it by the time zone). */
const DATE_OID = 1082;

/**
 * A plain pg pool beside the ORM's, for the hot paths where one hand-written statement does
 * the work of a find, a lock and a flush (documents/update-document.ts, the token check).
 * Waiting for a connection, connecting and every round trip are bounded by `timeoutMs`
 * (DATABASE_TIMEOUT).
 */
export function createSqlPool(url: string, size: number, log: Logger, applicationName = 'recordengine', timeoutMs = DEFAULT_DATABASE_TIMEOUT_MS): SqlPool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(DATE_OID, (text: string) => text);
  const pool = new pg.Pool({ connectionString: url, max: size, types, ...connectionOptions(timeoutMs, applicationName) });
  pool.on('connect', (client) => boundRoundTrips(client, timeoutMs));
  // An idle connection that the server ends (restart, pg_terminate_backend) is dropped from the
  // pool and reported here; unhandled, the event would end the process. Every pooled connection
  // reports the same outage: it is logged once, and its end once.
  const outage = new OutageLog(log.child({ pool: applicationName }), 'keeping idle database connections');
  pool.on('error', (err) => outage.failed(err));
  pool.on('connect', () => outage.recovered());
  return pool;
}
