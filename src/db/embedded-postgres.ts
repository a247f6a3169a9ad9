import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { outsideDirectory, placeData, prepareOutside, reachableBinaries, SHARED_ROOT, type Ids } from './embedded-postgres-placement.js';

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

/** The `native` directory of the platform's `@embedded-postgres/<platform>-<arch>` package: bin/, lib/, share/. */
async function packagedBinaries(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const { postgres } = (await import(name)) as { postgres: string };
    return path.dirname(path.dirname(postgres));
  } catch (err) {
    // The binaries are an optional dependency: left out of the Docker image, which uses DATABASE_URL.
    throw new Error(`DATABASE_URL is unset and the embedded PostgreSQL (${name}) is not installed: set DATABASE_URL`, { cause: err });
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the OS user `postgres`, created if need be. */
async function runAsIds(): Promise<Ids | undefined> {
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
async function dealWithLeftover(pgdata: string, pgCtl: string, ids: Ids | undefined, log: Logger) {
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

export type EmbeddedPostgresOptions = {
  /** The binaries' directory (bin/, lib/, share/); by default the platform package's. */
  nativeDir?: string;
  /** Where binaries and data go when `postgres` cannot reach the project's (as root only). */
  sharedRoot?: string;
};

export async function startEmbeddedPostgres(dataDir: string, log: Logger, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const nativeDir = options.nativeDir ?? (await packagedBinaries());
  const ids = await runAsIds();
  const root = path.resolve(dataDir);
  const stateFile = path.join(root, 'embedded-postgres.json');
  mkdirSync(root, { recursive: true });
  const bin = path.join(ids ? reachableBinaries(nativeDir, ids, options.sharedRoot) : nativeDir, 'bin');
  const placement = placeData(root, ids, options.sharedRoot);
  const { pgdata } = placement;
  if (placement.outside) log.info({ pgdata }, 'the project is out of reach of the OS user postgres: its data is kept outside it');

  await dealWithLeftover(pgdata, path.join(bin, 'pg_ctl'), ids, log);
  let state = readState(stateFile);
  if (!state || !existsSync(path.join(pgdata, 'PG_VERSION'))) {
    if (ids) prepareOutside(root, placement, ids, true);
    state = { port: await freePort(), password: randomBytes(18).toString('base64url') };
    // Beside the cluster, where `postgres` can read it.
    const pwFile = path.join(path.dirname(pgdata), '.pwfile');
    writeFileSync(pwFile, `${state.password}\n`, { mode: 0o600 });
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (ids) {
      chownSync(pgdata, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    log.info({ pgdata }, 'initialising the embedded PostgreSQL (first start only)');
    try {
      await run(
        path.join(bin, 'initdb'),
        ['-D', pgdata, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'],
        ids ?? {},
      );
    } finally {
      rmSync(pwFile, { force: true });
    }
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  } else if (ids) {
    prepareOutside(root, placement, ids, false);
  }

  if (!(await portIsFree(state.port))) {
    state = { ...state, port: await freePort() };
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  }

  const child = spawn(
    path.join(bin, 'postgres'),
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

/** Deletes a data directory and, when its cluster was kept outside the project, that too (the server must be stopped). */
export function removeEmbeddedPostgresData(dataDir: string, sharedRoot = SHARED_ROOT): void {
  const root = path.resolve(dataDir);
  rmSync(root, { recursive: true, force: true });
  rmSync(outsideDirectory(root, sharedRoot), { recursive: true, force: true });
}

/** What is kept of the server's output while it starts, for the error should it not. */
const STARTUP_OUTPUT_LIMIT = 64 * 1024;
const READY = 'database system is ready to accept connections';

/**
 * Resolves when the server says it is ready. Its output is kept only until then (the last
 * STARTUP_OUTPUT_LIMIT characters): the server runs as long as the service, and after the
 * start only its error lines matter, and only to the log.
 */
export function waitUntilReady(child: ChildProcess, log: Logger, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (/\b(ERROR|FATAL|PANIC):/.test(line)) log.debug({ postgres: line }, 'embedded PostgreSQL');
    }
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const done = () => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the embedded PostgreSQL did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-STARTUP_OUTPUT_LIMIT);
      if (output.includes(READY)) {
        done();
        output = '';
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`the embedded PostgreSQL exited with code ${code} while starting:\n${output}`));
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
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
