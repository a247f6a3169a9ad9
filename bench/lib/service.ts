import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, cpuMsOf, freePort, startNode, waitForOk, type Loader, type NodeChild } from './children.js';
import { formatProfile, summarizeProfile } from './cpu-profile.js';
import { InspectorProfiler } from './inspector-profiler.js';
import { progress } from './report.js';

export const BENCH_TOKEN = `re_${'b'.repeat(40)}`;
export const PROFILE_DIR = path.join(ROOT, 'bench/results/profiles');

export type ProfiledChild = {
  pid: number;
  /** CPU ms the process has used so far. */
  cpuMs(): number;
  /**
   * Runs fn; when profiling, samples the child's CPU for exactly that time, writes
   * bench/results/profiles/<name>.cpuprofile and prints where the time went.
   */
  profiled<T>(name: string, fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
};

export type RunningService = ProfiledChild & { url: string };

/** Starts a Node child, with the inspector on a port of its own when it is to be profiled. */
export async function startProfiledNode(
  entry: string,
  opts: { env: Record<string, string>; readyUrl: string; profile: boolean; cwd?: string; loader?: Loader; node?: string },
): Promise<ProfiledChild> {
  const inspectPort = opts.profile ? await freePort() : undefined;
  const child: NodeChild = startNode(entry, {
    env: opts.env,
    ...(opts.loader && { loader: opts.loader }),
    ...(opts.node && { node: opts.node }),
    nodeArgs: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
    ...(opts.cwd && { cwd: opts.cwd }),
  });
  let profiler: InspectorProfiler | undefined;
  try {
    await waitForOk(opts.readyUrl, child);
    if (inspectPort) profiler = await InspectorProfiler.attach(inspectPort);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    pid: child.pid,
    cpuMs: () => cpuMsOf(child.pid),
    async profiled(name, fn) {
      if (!profiler) return fn();
      await profiler.start();
      try {
        return await fn();
      } finally {
        mkdirSync(PROFILE_DIR, { recursive: true });
        const file = path.join(PROFILE_DIR, `${name}.cpuprofile`);
        await profiler.stop(file);
        progress(`${formatProfile(summarizeProfile(file, 25))}\n  (${path.relative(ROOT, file)})`);
      }
    },
    async stop() {
      profiler?.close();
      await child.stop();
    },
  };
}

/** The checkouts built in this process: a benchmark builds each once. */
const built = new Set<string>();

/** `npm run build` in the checkout (its dist/ is what the Docker image runs), once per process. */
function buildService(dir: string): void {
  if (built.has(dir)) return;
  progress(`building the service in ${path.relative(ROOT, dir) || '.'} (npm run build)`);
  execFileSync('npm', ['run', '-s', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  built.add(dir);
}

/**
 * The real service in a child process, as it runs in production: built (`npm run build`) and
 * run from dist/ by Node itself, as the Docker image runs it (`npm start` runs the TypeScript
 * through tsx, whose module hooks then sit on every require() of a running service: Apollo
 * requires node:crypto for each request's query hash). Against the given database, with pino
 * at warn so that logging a line per request does not become the thing measured.
 * BENCH_SERVICE_DIR runs the service of another checkout instead (built there), to compare two
 * versions with the same benchmark; BENCH_SERVICE_NODE runs it on another Node binary (the
 * harness stays on the project's), to compare runtimes.
 */
export async function startService(opts: { databaseUrl: string; env?: Record<string, string>; profile?: boolean }): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = process.env.BENCH_SERVICE_DIR ? path.resolve(process.env.BENCH_SERVICE_DIR) : ROOT;
  buildService(dir);
  const child = await startProfiledNode('dist/src/main.js', {
    cwd: dir,
    loader: 'node',
    ...(process.env.BENCH_SERVICE_NODE && { node: process.env.BENCH_SERVICE_NODE }),
    profile: opts.profile ?? false,
    readyUrl: `${url}/readyz`,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: opts.databaseUrl,
      API_TOKEN: BENCH_TOKEN,
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'false',
      ...opts.env,
    },
  });
  return { ...child, url };
}
