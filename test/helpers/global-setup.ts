import { MikroORM } from '@mikro-orm/postgresql';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { removeEmbeddedPostgresData, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { ormConfig } from '../../src/db/orm-config.js';
import { dropStaleTestDatabases, startTestRun, type TestRun } from './test-run-databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDb: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let run: TestRun | undefined;
let cleanup: (() => Promise<void>) | undefined;

/**
 * One PostgreSQL for the whole run (the embedded one, or TEST_DATABASE_URL), and a template
 * database with every migration applied; each test file clones it (test/helpers/db.ts).
 */
export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = path.resolve(`.data/test-${process.pid}-${Date.now()}`);
    embedded = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
    adminUrl = embedded.url;
  }
  // Names of this run's own, so that several runs can share one server.
  run = await startTestRun(adminUrl);
  const { prefix } = run;
  const templateDb = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const dropped = await dropStaleTestDatabases(admin);
  if (dropped.length) console.info(`dropped ${dropped.length} databases of test runs that are no longer alive: ${dropped.join(', ')}`);
  await admin.query(`create database ${templateDb}`);
  await run.mark(admin, templateDb);
  await admin.end();
  cleanup = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const mine = await c.query<{ datname: string }>(`select datname from pg_database where starts_with(datname, $1)`, [`${prefix}_`]);
    for (const { datname } of mine.rows) await c.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
    await c.end();
  };

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${templateDb}`;
  const orm = await MikroORM.init(ormConfig(templateUrl.toString(), 2));
  await orm.migrator.up();
  await orm.close(true);
  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDb', templateDb);
}

export async function teardown() {
  await cleanup?.();
  await run?.end();
  await embedded?.stop();
  if (dataDir) removeEmbeddedPostgresData(dataDir);
}
