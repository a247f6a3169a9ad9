import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeEmbeddedPostgresData } from '../../src/db/embedded-postgres.js';

/**
 * The service as a process of its own (`node --import tsx src/main.ts`), with the embedded
 * PostgreSQL in a data directory under the project: PostgreSQL runs as the OS user postgres,
 * which must reach it (a mktemp directory is 0700).
 */
const dataDirs: string[] = [];
const started: ChildProcess[] = [];

/** A data directory of its own for one start, removed after the file. */
function newDataDir(): string {
  const dataDir = path.resolve(`.data/t-${randomBytes(4).toString('hex')}`);
  dataDirs.push(dataDir);
  return dataDir;
}

type Service = {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  waitForOutput(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

function spawnService(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const match = w.pattern.exec(out);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match[0]);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  // 'close' comes after the output streams end: by then everything printed has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const waitForOutput = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      waiters.push({ pattern, resolve });
      check();
      void exited.then(({ code, signal }) => reject(new Error(`the service exited (${code ?? signal}) before printing ${pattern}:\n${out}\n${err}`)));
    });
  return { child, exited, waitForOutput, stdout: () => out, stderr: () => err };
}

async function startService(dataDir: string): Promise<Service> {
  const s = spawnService(dataDir);
  const line = await s.waitForOutput(/\{[^\n]*"msg":"service started"[^\n]*\}/);
  const url = (JSON.parse(line) as { url: string }).url.replace(/\/graphql$/, '');
  return { ...s, url };
}

function gql(url: string, token: string, query: string, variables?: Record<string, unknown>) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
}

/** The pids of PostgreSQL servers running on a data directory. */
function postgresOfDataDir(dataDir: string): number[] {
  // In a directory the postgres user cannot enter, DATA_DIR/pg links to where the data really is.
  const pg = path.join(dataDir, 'pg');
  const data = existsSync(pg) ? realpathSync(pg) : pg;
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((l) => l.includes(`-D ${pg} `) || l.includes(`-D ${data} `)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Running, and not a zombie: an orphan that stopped waits for init to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function embeddedUrl(dataDir: string): string {
  const state = JSON.parse(readFileSync(path.join(dataDir, 'embedded-postgres.json'), 'utf8')) as { port: number; password: string };
  return `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/postgres`;
}

// What a failed test left running, so that the next test (or its retry) starts clean.
afterEach(async () => {
  const running = started.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(running.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL')))));
  // SIGQUIT ends a server at once; wait for that before its files are used or removed.
  const leftovers = dataDirs.flatMap(postgresOfDataDir);
  for (const pid of leftovers) process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 10_000;
  while (leftovers.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
});
afterAll(() => {
  for (const dataDir of dataDirs) removeEmbeddedPostgresData(dataDir);
});

let initialising: Promise<{ dataDir: string; token: string }> | undefined;

/**
 * A data directory past its first start, with the admin token that start printed: made once
 * for the tests that need one, whichever of them runs first.
 */
function initialisedDataDir(): Promise<{ dataDir: string; token: string }> {
  initialising ??= (async () => {
    const dataDir = newDataDir();
    const first = await startService(dataDir);
    // The token is printed after the service has started: wait for it, not for the start.
    const banner = await first.waitForOutput(/An admin API token was generated[^\n]*\n\n {2}re_[0-9a-f]{40}\n/);
    const [, token] = /(re_[0-9a-f]{40})/.exec(banner) ?? [];
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(token).toBeDefined();
    return { dataDir, token: token! };
  })().catch((err: unknown) => {
    initialising = undefined;
    throw err;
  });
  return initialising;
}

describe('the service process', () => {
  it('stops cleanly on a SIGTERM that comes during the first start, after printing the admin token', { timeout: 90_000 }, async () => {
    const dataDir = newDataDir();
    const first = spawnService(dataDir);
    await first.waitForOutput(/"msg":"initialising the embedded PostgreSQL \(first start only\)"/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toMatch(/"msg":"stopping gracefully once started"/);
    const printed = /An admin API token was generated[^\n]*\n\n {2}(re_[0-9a-f]{40})\n/.exec(first.stdout());
    expect(printed).not.toBeNull();
    const token = printed![1]!;
    expect(first.stdout().match(/re_[0-9a-f]{40}/g)!.every((t) => t === token)).toBe(true);
    expect(postgresOfDataDir(dataDir)).toEqual([]);
  });

  it('prints no token at a later start, and on SIGTERM finishes the request in flight, stops its PostgreSQL and exits 0', { timeout: 90_000 }, async () => {
    const { dataDir, token } = await initialisedDataDir();
    const service = await startService(dataDir);
    const created = await (await gql(service.url, token, `mutation { createContact(input: { name: "Shutdown Co", type: CLIENT }) { folders { edges { node { id } } } } }`)).json();
    const folderId = (created as any).data.createContact.folders.edges[0].node.id;
    const doc = (await (await gql(service.url, token, `mutation($f: ID!) { createDocument(input: { folderId: $f, filename: "a.pdf" }) { id } }`, { f: folderId })).json()) as any;
    const docId = doc.data.createDocument.id as string;

    // Hold the document's row lock, so that a status change waits inside its transaction.
    const db = new pg.Client({ connectionString: embeddedUrl(dataDir) });
    db.on('error', () => {});
    await db.connect();
    await db.query('begin');
    await db.query('select id from documents where id = $1 for update', [docId]);
    const inFlight = gql(service.url, token, `mutation($id: ID!) { setDocumentStatus(id: $id, status: PROCESSING) { status } }`, { id: docId });
    // Another connection watches for the wait: inside db's transaction pg_stat_activity would not change.
    const watcher = new pg.Client({ connectionString: embeddedUrl(dataDir) });
    watcher.on('error', () => {});
    await watcher.connect();
    const lockHolder = (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    for (;;) {
      const { rows } = await watcher.query('select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [lockHolder]);
      if (rows.length) break;
    }
    await watcher.end();

    const pids = postgresOfDataDir(dataDir);
    expect(pids.length).toBeGreaterThan(0);
    service.child.kill('SIGTERM');
    await service.waitForOutput(/"msg":"stopping gracefully"/);
    await db.query('commit');
    await db.end();

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { setDocumentStatus: { status: 'PROCESSING' } } });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(postgresOfDataDir(dataDir)).toEqual([]);
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(service.stdout()).not.toMatch(/re_[0-9a-f]{40}|admin API token/);
  });

  it('stops a PostgreSQL left running by a killed run, so that the next start just works', { timeout: 90_000 }, async () => {
    const { dataDir, token } = await initialisedDataDir();
    const killed = await startService(dataDir);
    const created = (await (await gql(killed.url, token, `mutation { createContact(input: { name: "Killed Co", type: CLIENT }) { id } }`)).json()) as any;
    const contactId = created.data.createContact.id as string;
    const [leftover] = postgresOfDataDir(dataDir);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(alive(leftover!)).toBe(true);

    const service = await startService(dataDir);
    expect(service.stdout()).toMatch(/"pid":\d+,"msg":"stopping an embedded PostgreSQL left running by an earlier run that was killed"/);
    expect(alive(leftover!)).toBe(false);
    const res = await gql(service.url, token, `query($id: ID!) { contact(id: $id) { name } }`, { id: contactId });
    expect(await res.json()).toEqual({ data: { contact: { name: 'Killed Co' } } });
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(postgresOfDataDir(dataDir)).toEqual([]);
    for (const later of [killed, service]) expect(later.stdout()).not.toMatch(/re_[0-9a-f]{40}|admin API token/);
  });

  it('prints one line per bad environment variable and exits 2', { timeout: 30_000 }, async () => {
    const otherDir = newDataDir();
    const s = spawnService(otherDir, { PORT: 'eighty', WEBHOOK_TIMEOUT: 'soon', API_TOKEN: 're_secret', LOG_LEVEL: 'info' });
    expect(await s.exited).toEqual({ code: 2, signal: null });
    expect(s.stderr().trimEnd().split('\n')).toEqual([
      'Invalid configuration:',
      '  - PORT="eighty": must be a whole number',
      '  - API_TOKEN=(hidden, 9 characters): must be re_ followed by 40 lowercase hex characters',
      '  - WEBHOOK_TIMEOUT="soon": "soon" is not a duration (write it like 500ms, 5s, 5m, 2h or 30d)',
    ]);
    expect(s.stdout()).toBe('');
    expect(existsSync(otherDir)).toBe(false);
  });
});
