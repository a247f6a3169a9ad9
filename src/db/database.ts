import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { ormConfig } from './orm-config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { migrationsList } from './migrations/index.js';
import { createSqlPool, type SqlPool } from './sql-pool.js';
import { answerWithin } from './bounded-wait.js';

export type Database = {
  orm: MikroORM;
  /** Plain statements on the hot paths; at most DB_POOL_SIZE connections of its own. */
  sql: SqlPool;
  /**
   * The delivery worker's statements (claims, leases, records): a few connections of their own,
   * so that a burst of mutations queued for the pool above never holds back the webhooks, and
   * deliveries never take connections from the API.
   */
  deliverySql: SqlPool;
  /** The connection string in use (the embedded server's when DATABASE_URL is unset). */
  url: string;
  embedded: boolean;
  /** DATABASE_TIMEOUT: how long anything waits for the database. */
  timeoutMs: number;
  /** Ends the pools; a connection that cannot say goodbye within the bound (a partition) is left to the process's end. */
  close(): Promise<void>;
};

/** A claim, a batch of successes, a failure and a lease renewal can be under way at once. */
const DELIVERY_POOL_SIZE = 4;

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  migrate: boolean;
  poolSize: number;
  timeoutMs: number;
  log: Logger;
}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(opts.dataDir, opts.log);
    url = embedded.url;
  }
  try {
    if (opts.migrate) await migrate(url, opts.log);
    const orm = await MikroORM.init(ormConfig(url, opts.poolSize, opts.timeoutMs));
    const sql = createSqlPool(url, opts.poolSize, opts.log, 'recordengine', opts.timeoutMs);
    const deliverySql = createSqlPool(url, DELIVERY_POOL_SIZE, opts.log, 'recordengine-delivery', opts.timeoutMs);
    const end = (what: string, ending: Promise<unknown>) =>
      answerWithin(ending, opts.timeoutMs, `closing ${what}`).catch((err: unknown) => opts.log.warn({ err }, `${what} did not close cleanly`));
    return {
      orm,
      sql,
      deliverySql,
      url,
      embedded: embedded !== undefined,
      timeoutMs: opts.timeoutMs,
      async close() {
        // At once: in a partition each may wait out the bound.
        await Promise.all([end('the plain pool', sql.end()), end("the delivery worker's pool", deliverySql.end()), end("the ORM's pool", orm.close(true))]);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/**
 * Applies the pending migrations on an ORM of their own, whose statements are not bounded by
 * DATABASE_TIMEOUT: a migration of a large table may rightly take longer than any request.
 */
async function migrate(url: string, log: Logger): Promise<void> {
  const orm = await MikroORM.init(ormConfig(url, 1));
  try {
    const applied = await orm.migrator.up();
    if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  } finally {
    await orm.close(true);
  }
}

/**
 * True when every committed migration has been applied: what /readyz reports. Two plain
 * reads, where the migrator would first create its table (and even the database) if missing.
 */
export async function migrationsApplied(orm: MikroORM): Promise<boolean> {
  const em = orm.em.fork();
  const [found] = await em.execute<{ t: string | null }[]>(`select to_regclass('mikro_orm_migrations')::text as t`);
  if (!found?.t) return false;
  const rows = await em.execute<{ name: string }[]>('select name from mikro_orm_migrations');
  const applied = new Set(rows.map((r) => r.name));
  return migrationsList.every((m) => applied.has(m.name));
}
