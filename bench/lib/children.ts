import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc; NaN where there is
 * none. With `reaped`, also that of its children that ended and were waited for.
 */
export function cpuMsOf(pid: number, opts: { reaped?: boolean } = {}): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime and cstime are fields 14 to 17 of stat(5); the split above starts at field 3.
    const ticks = Number(fields[11]) + Number(fields[12]) + (opts.reaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

export type NodeChild = {
  pid: number;
  /** What the child wrote so far (its log lines), for error messages. */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

/**
 * How a child runs its entry point: `tsx` (`node --import tsx`, the project's TypeScript as
 * `npm start` runs it), `node` (JavaScript, or TypeScript that Node's own type stripping reads:
 * no module hooks in the process, as in production).
 */
export type Loader = 'tsx' | 'node';

/** Runs an entry point in a Node process of its own. */
export function startNode(
  entry: string,
  opts: { env?: Record<string, string>; args?: string[]; nodeArgs?: string[]; cwd?: string; loader?: Loader; node?: string } = {},
): NodeChild {
  const loader = opts.loader === 'node' ? [] : ['--import', 'tsx'];
  const child: ChildProcess = spawn(opts.node ?? process.execPath, [...(opts.nodeArgs ?? []), ...loader, entry, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs an entry point to its end and returns the JSON it printed last on stdout. */
export async function runNodeForJson<T>(entry: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`${entry} exited with ${code}:\n${stderr.slice(-4000)}`);
  return JSON.parse(last) as T;
}

/** Polls a URL until it answers 200. */
export async function waitForOk(url: string, child: NodeChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the child exited with ${exitCode} before ${url} answered:\n${child.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
}
