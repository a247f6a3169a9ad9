import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pino } from 'pino';
import { removeEmbeddedPostgresData, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { ormConfig } from '../../src/db/orm-config.js';

/** The local server of these machines; used when it answers and nothing else is named. */
const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type PostgresServer = {
  /** A URL whose user may create and drop databases. */
  adminUrl: string;
  /** "embedded" or the host:port of the server. */
  kind: string;
  version: string;
  stop(): Promise<void>;
};

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

/**
 * BENCH_DATABASE_URL, else DATABASE_URL, else the local server when it answers, else an
 * embedded PostgreSQL of this process's own (removed again by stop()).
 */
export async function openPostgresServer(env = process.env): Promise<PostgresServer> {
  const named = env.BENCH_DATABASE_URL || env.DATABASE_URL;
  const url = named ?? ((await answers(LOCAL_SERVER_URL)) ? LOCAL_SERVER_URL : undefined);
  if (url) {
    const { host } = new URL(url);
    return { adminUrl: url, kind: host, version: await serverVersion(url), stop: async () => undefined };
  }
  const dataDir = path.resolve(`.data/bench-${randomBytes(4).toString('hex')}`);
  const embedded = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
  return {
    adminUrl: embedded.url,
    kind: 'embedded',
    version: await serverVersion(embedded.url),
    async stop() {
      await embedded.stop();
      removeEmbeddedPostgresData(dataDir);
    },
  };
}

export type BenchDatabase = { url: string; name: string; drop(): Promise<void> };

/** A database of this run's own, `bench_<random>`, migrated by MikroORM's migrator as the service would. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The migrator's progress lines would interleave with the benchmark's own.
  const orm = await MikroORM.init({ ...ormConfig(url.toString(), 2), logger: () => undefined });
  try {
    await orm.migrator.up();
  } finally {
    await orm.close(true);
  }
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
