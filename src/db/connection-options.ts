import type pg from 'pg';

/** DATABASE_TIMEOUT's default: how long anything waits for the database before it gives up. */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5_000;

/** Idle time before the first TCP keepalive probe: a connection whose peer vanished is found out, not kept for hours. */
const KEEPALIVE_IDLE_MS = 10_000;

/**
 * The settings of every connection the service opens, in one place (the plain pools, the ORM's,
 * the listener's). With a bound (`timeoutMs`, DATABASE_TIMEOUT): a connect that takes longer
 * fails, and on the server a transaction whose client has gone silent ends after twice the
 * bound (at least 10 s), so that the locks of a client cut off by a partition do not outlive
 * it (the server would otherwise wait for TCP to give up, hours later). The bound of each
 * round trip is set on the connection once it is made (bounded-wait.ts). Without a bound (the
 * migrations, which may run long): only the connect is bounded, by the default.
 */
export function connectionOptions(timeoutMs: number | undefined, applicationName: string): pg.ClientConfig {
  return {
    application_name: applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    connectionTimeoutMillis: timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS,
    ...(timeoutMs !== undefined && { idle_in_transaction_session_timeout: Math.max(2 * timeoutMs, 10_000) }),
    // No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, and a read of
    // the log on a grown table passed it, to spend tens of milliseconds compiling a statement that
    // runs in one; none of these statements runs long enough for compiled code to pay.
    options: '-c jit=off',
  };
}
