import { randomInt } from 'node:crypto';
import pg from 'pg';

/**
 * Several test runs may share one PostgreSQL server at the same moment, and a killed run
 * leaves its `rt_<run>_*` databases behind. A run proves it is alive by holding, for as long as
 * it lasts, a session advisory lock keyed by its id on a connection of its own: PostgreSQL
 * releases the lock when that connection ends, however the run ends, and pg_locks shows every
 * lock of the server to every user. The run's template database carries RUN_MARK as its
 * comment, which says that its run followed this protocol.
 *
 * A run's databases are stale, and dropped, only when nobody is connected to any of them and
 * either the run is marked and its lock is free, or (a run of an older copy of the suite, or
 * one killed before it marked its template) they are all older than UNMARKED_AFTER_MS.
 */
const RUN_LOCK_CLASS = 0x7274;
const RUN_MARK = 'recordengine test run: alive while it holds its advisory lock';
const UNMARKED_AFTER_MS = 60 * 60_000;
const RUN_DATABASE = /^rt_([0-9a-f]{8})_/;

export type TestRun = {
  /** Prefix of the run's database names: `rt_<8 hex>`. */
  prefix: string;
  /** Marks the run's template database as one whose run holds the lock. */
  mark(client: pg.Client, templateDb: string): Promise<void>;
  end(): Promise<void>;
};

/** Starts a run: takes its lock on a connection kept open until end(). */
export async function startTestRun(adminUrl: string): Promise<TestRun> {
  const key = randomInt(1, 2 ** 31);
  const lock = new pg.Client({ connectionString: adminUrl, application_name: 'recordengine test run' });
  await lock.connect();
  await lock.query('select pg_advisory_lock($1, $2)', [RUN_LOCK_CLASS, key]);
  return {
    prefix: `rt_${key.toString(16).padStart(8, '0')}`,
    async mark(client, templateDb) {
      await client.query(`comment on database ${pg.escapeIdentifier(templateDb)} is ${pg.escapeLiteral(RUN_MARK)}`);
    },
    end: () => lock.end(),
  };
}

type RunDatabase = { datname: string; connections: number; marked: boolean };

/** Drops the databases of runs that are no longer alive; returns their names. */
export async function dropStaleTestDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<RunDatabase>(
    `select d.datname,
            (select count(*)::int from pg_stat_activity a where a.datid = d.oid) as connections,
            coalesce(shobj_description(d.oid, 'pg_database') = $1, false) as marked
       from pg_database d
      where d.datname ~ '^rt_[0-9a-f]{8}_'`,
    [RUN_MARK],
  );
  const { rows: held } = await client.query<{ key: string }>(
    `select objid::text as key from pg_locks where locktype = 'advisory' and classid = $1 and objsubid = 2 and granted`,
    [RUN_LOCK_CLASS],
  );
  const alive = new Set(held.map((r) => Number(r.key).toString(16).padStart(8, '0')));
  const runs = new Map<string, RunDatabase[]>();
  for (const row of rows) {
    const run = RUN_DATABASE.exec(row.datname)![1]!;
    if (alive.has(run)) continue;
    runs.set(run, [...(runs.get(run) ?? []), row]);
  }
  const dropped: string[] = [];
  for (const databases of runs.values()) {
    if (databases.some((d) => d.connections > 0)) continue;
    if (!databases.some((d) => d.marked) && !(await allOlderThan(client, databases, UNMARKED_AFTER_MS))) continue;
    for (const { datname } of databases) {
      // Without `force`: should anyone have connected since, the drop fails and the database stays.
      const done = await client.query(`drop database if exists ${pg.escapeIdentifier(datname)}`).then(
        () => true,
        () => false,
      );
      if (done) dropped.push(datname);
    }
  }
  return dropped;
}

/**
 * Whether every one of the databases was created (its PG_VERSION file written) over `ms` ago;
 * false where the server does not tell this user (pg_stat_file needs pg_read_server_files).
 */
async function allOlderThan(client: pg.Client, databases: RunDatabase[], ms: number): Promise<boolean> {
  try {
    const { rows } = await client.query<{ old: boolean }>(
      `select bool_and((pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - make_interval(secs => $2::float8 / 1000)) as old
         from pg_database where datname = any($1)`,
      [databases.map((d) => d.datname), ms],
    );
    return rows[0]?.old === true;
  } catch {
    return false;
  }
}
