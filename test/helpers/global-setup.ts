import { MikroORM } from '@mikro-orm/postgresql';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { ormConfig } from '../../src/db/orm-config.js';

export const TEMPLATE_DB = 'recordengine_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let embedded: EmbeddedPostgres | undefined;

/**
 * One PostgreSQL for the whole run (the embedded one, or TEST_DATABASE_URL), and a template
 * database with every migration applied; each test file clones it (test/helpers/db.ts).
 */
export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.resolve('.data/test'), pino({ level: 'warn' }));
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const stale = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'rt\\_%' or datname = $1`, [TEMPLATE_DB]);
  for (const { datname } of stale.rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const orm = await MikroORM.init(ormConfig(templateUrl.toString(), 2));
  await orm.getMigrator().up();
  await orm.close(true);
  project.provide('pgAdminUrl', adminUrl);
}

export async function teardown() {
  await embedded?.stop();
}
