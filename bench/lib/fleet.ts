import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './children.js';
import { BENCH_TOKEN } from './service.js';

/**
 * Subscribers in a process of their own (bench/servers/subscriber-fleet.ts), driven over IPC,
 * so that receiving competes neither with the server nor with the load. Times are on the
 * clock both processes share: performance.timeOrigin + performance.now().
 */
export class Fleet {
  private readonly child: ChildProcess;
  private constructor() {
    this.child = fork(path.join(ROOT, 'bench/servers/subscriber-fleet.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  /** The subscribers' process, for its CPU time. */
  get pid(): number {
    return this.child.pid!;
  }

  static start(): Fleet {
    return new Fleet();
  }

  private request<T>(message: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: T & { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.send(message as never);
    });
  }

  connect(url: string, count: number, query: string): Promise<{ connected: number }> {
    return this.request({ cmd: 'connect', url, token: BENCH_TOKEN, count, query });
  }

  /**
   * Waits (at most timeoutMs) for every listed event on every subscriber; then the latency of
   * each arrival from its event's time (entries with time 0 are only checked for arrival),
   * the arrivals missing, and the events some subscriber missed.
   */
  collect(events: [id: string, at: number][], timeoutMs: number): Promise<{ latencies: number[]; missing: number; missingEvents: number }> {
    return this.request({ cmd: 'collect', committed: events, timeoutMs });
  }

  async stop(): Promise<void> {
    await this.request({ cmd: 'close' });
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Live subscribers the service counts (its /metrics). */
export async function liveSubscribers(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^graphql_ws_live_subscribers (\d+)/m.exec(metrics)?.[1] ?? 0);
}
