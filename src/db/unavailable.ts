/**
 * Whether an error says the database could not be reached or went away, as opposed to a
 * fault of the statement: a client should retry the first and report the second.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SQLSTATE: class 08 (connection exception), 57P01–57P03 (shut down, crashed, starting up), 53300 (too many connections). */
const SERVER_STATES = /^(08...|57P0[123]|53300)$/;

/**
 * What pg, knex and tarn say, without a code, when a connection ends or none can be had; knex's
 * "Transaction query already complete" is a transaction's next statement after its connection was lost.
 */
const MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Timeout acquiring a connection|Client was closed and is not queryable|Transaction query already complete/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e); e = (e as Error & { cause?: unknown }).cause) {
    seen.add(e);
    const { code, sqlState } = e as Error & { code?: unknown; sqlState?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_STATES.test(code))) return true;
    if (typeof sqlState === 'string' && SERVER_STATES.test(sqlState)) return true;
    if (MESSAGES.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** Seconds a client is told to wait before it tries again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** The work's result, or a rejection once it has not answered within `ms`: a database that hangs answers nothing. */
export function answerWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
