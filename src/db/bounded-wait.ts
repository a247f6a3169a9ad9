import type pg from 'pg';

/** What a bounded wait rejects with: the database gave no answer in time, which a silent network never reports itself. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';

  constructor(
    readonly ms: number,
    what: string,
  ) {
    super(`${what}: no answer from the database within ${ms} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/** The work's result, or a rejection once it has not answered within `ms`: a database that hangs answers nothing. */
export function answerWithin<T>(work: Promise<T>, ms: number, what = 'a read'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(ms, what)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type QueryArgs = [unknown, ...unknown[]];

/**
 * Every statement sent on this connection gets its answer within `ms`, or the connection is
 * ended: the statement and those queued behind it fail with a DatabaseTimeoutError, and a pool
 * throws the connection away. pg's own query_timeout would only stop waiting, and leave the
 * statement in flight at the head of the connection's queue, so that the next user of the
 * connection (a pooled one, or an ORM's) waits behind it; if the rollback after it timed out
 * too, the next user would even run inside the abandoned transaction. Ending the connection is
 * the one answer that cannot be mistaken.
 */
export function boundRoundTrips(client: pg.ClientBase, ms: number): void {
  const send = client.query.bind(client) as (...args: QueryArgs) => unknown;
  const bounded = (...args: QueryArgs): unknown => {
    const timer = setTimeout(() => abandon(client, new DatabaseTimeoutError(ms, 'a statement')), ms);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...result: unknown[]) => {
        clearTimeout(timer);
        (callback as (...r: unknown[]) => void)(...result);
      };
      return send(...args);
    }
    const result = send(...args);
    if (result instanceof Promise) result.then(() => clearTimeout(timer), () => clearTimeout(timer));
    else clearTimeout(timer);
    return result;
  };
  (client as unknown as { query: typeof bounded }).query = bounded;
  // The end of a connection is also reported to each statement it fails; without a listener of
  // its own, a connection ended while checked out of a pool (which listens only to idle ones)
  // would end the process.
  client.on('error', () => undefined);
}

/** Ends the connection's socket: pg fails every statement on it with `reason`, and reports the end. */
function abandon(client: pg.ClientBase, reason: Error): void {
  (client as unknown as { connection: { stream: { destroy(err: Error): void } } }).connection.stream.destroy(reason);
}
