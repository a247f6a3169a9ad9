/**
 * Whether an error says that the database cannot be used now, as opposed to a fault of the
 * statement: a client should retry the first and report the second.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'DATABASE_TIMEOUT']);

/**
 * SQLSTATE: class 08 (connection exception), 57P01–57P03 (terminated by an administrator, the
 * server crashed, starting up or in recovery), 53300 (too many connections, for the server, the
 * database or the role).
 */
const SERVER_STATES = /^(08...|57P0[123]|53300)$/;

/**
 * 55000 (object not in prerequisite state) is also what a database that refuses new
 * connections (ALLOW_CONNECTIONS false) answers at connect; its other uses are faults of a
 * statement. The server's routine tells them apart (its name is never translated).
 */
const REFUSED_CONNECTIONS = { code: '55000', routine: 'CheckMyDatabase' };

/** What pg and pg-pool say, without a code, when a connection ends or none can be had in time. */
const MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|timeout expired|Client was closed and is not queryable/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = (e as Error & { cause?: unknown }).cause) {
    seen.add(e);
    const { code, sqlState, routine } = e as Error & { code?: unknown; sqlState?: unknown; routine?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_STATES.test(code))) return true;
    if (typeof sqlState === 'string' && SERVER_STATES.test(sqlState)) return true;
    if ((code === REFUSED_CONNECTIONS.code || sqlState === REFUSED_CONNECTIONS.code) && routine === REFUSED_CONNECTIONS.routine) return true;
    if (MESSAGES.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** Seconds a client is told to wait before it tries again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;
