import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropStaleTestDatabases, startTestRun, type TestRun } from '../helpers/test-run-databases.js';

let admin: pg.Client;
/** Runs not yet ended. */
const runs = new Set<TestRun>();
const created: string[] = [];

async function run(): Promise<TestRun> {
  const r = await startTestRun(inject('pgAdminUrl'));
  runs.add(r);
  return r;
}

async function end(r: TestRun): Promise<void> {
  runs.delete(r);
  await r.end();
}

function urlOf(database: string): string {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** The run's marked template, and a database named as db.ts names a file's, if asked. */
async function databasesOf(r: TestRun, withFileDatabase = false): Promise<string[]> {
  const names = [`${r.prefix}_template`, ...(withFileDatabase ? [`${r.prefix}_0123456789ab`] : [])];
  for (const name of names) {
    await admin.query(`create database ${name}`);
    created.push(name);
  }
  await r.mark(admin, names[0]!);
  return names;
}

async function existing(names: string[]): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname = any($1) order by datname', [names]);
  return rows.map((r) => r.datname);
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
});
afterAll(async () => {
  await Promise.all([...runs].map(end));
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

/** On a busy shared server, creating or dropping a database can take seconds. */
const SLOW_DDL_MS = 120_000;

describe('the databases of test runs on a shared server', () => {
  it('drops those of a run that ended, and keeps those of a live run, in use, or unmarked and recent', async () => {
    const deadRun = await run();
    const dead = await databasesOf(deadRun, true);
    const live = await databasesOf(await run());
    const inUseRun = await run();
    const inUse = await databasesOf(inUseRun);
    // A run of a copy of the suite that takes no lock and marks nothing, started moments ago.
    const unmarkedRun = await run();
    const unmarked = `${unmarkedRun.prefix}_template`;
    await admin.query(`create database ${unmarked}`);
    created.push(unmarked);
    await Promise.all([end(deadRun), end(inUseRun), end(unmarkedRun)]);
    const user = new pg.Client({ connectionString: urlOf(inUse[0]!) });
    await user.connect();
    try {
      const dropped = await dropStaleTestDatabases(admin);
      expect(dropped.filter((name) => created.includes(name)).sort()).toEqual([...dead].sort());
    } finally {
      await user.end();
    }
    const all = [...dead, ...live, ...inUse, unmarked];
    expect(await existing(all)).toEqual([...live, ...inUse, unmarked].sort());
  }, SLOW_DDL_MS);
});
