/**
 * The log orders events by (transaction id, seq), and a transaction takes its id at its first
 * row lock or write, before it waits for anything. Two changes of one row queue for its lock,
 * but a third that arrives just as the first commits can take the free row ahead of them
 * (PostgreSQL does not queue a row lock that is free): it commits second with the highest
 * transaction id, and the log would show that row's events out of their commit order.
 *
 * So a change of an existing row first takes this advisory lock, named by the row: advisory
 * locks take no transaction id, and PostgreSQL grants them in the order they were asked for.
 * A transaction that waits for it takes its id only once it holds it, after the one before it
 * has committed: per row, transaction ids follow commit order.
 *
 * Returns a CTE body to join the row's select with (`from <table> t, <cte>`), so that the
 * lock is held before the row is locked.
 */
const LOCK_SPACE = { contacts: 0x7265_0001, folders: 0x7265_0002, documents: 0x7265_0003 } as const;

export function entityLockSql(table: keyof typeof LOCK_SPACE, id: string): string {
  return `select pg_advisory_xact_lock(${LOCK_SPACE[table]}, ${id}) as locked`;
}
