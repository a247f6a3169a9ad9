import pg from 'pg';
import type { Logger } from 'pino';

export type SqlPool = pg.Pool;

/** The `date` type: a calendar date, kept as its YYYY-MM-DD text (a Date would shift it by the time zone). */
const DATE_OID = 1082;

/**
 * A plain pg pool beside the ORM's, for the hot paths where one hand-written statement does
 * the work of a find, a lock and a flush (documents/update-document.ts, the token check).
 */
export function createSqlPool(url: string, size: number, log: Logger, applicationName = 'recordengine'): SqlPool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(DATE_OID, (text: string) => text);
  // No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, and a read of
  // the log on a grown table passed it, to spend tens of milliseconds compiling a statement that
  // runs in one; none of these statements runs long enough for compiled code to pay.
  const pool = new pg.Pool({ connectionString: url, max: size, types, application_name: applicationName, options: '-c jit=off' });
  // An idle connection that the server ends (restart, pg_terminate_backend) is dropped from the
  // pool and reported here; unhandled, the event would end the process.
  pool.on('error', (err) => log.warn({ err }, 'an idle database connection was closed'));
  return pool;
}
