import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';

/**
 * A webhook receiver for the benchmarks: answers 200 at once (or, when hanging, reads the
 * request and never answers), and notes when each webhook-id arrived, on this process's
 * clock, so that latency is measured against a commit time taken in the same process.
 */
export class BenchReceiver {
  /** webhook-id → performance.now() when the request's body had arrived; the first arrival wins. */
  readonly arrivals = new Map<string, number>();
  received = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly mode: 'answer' | 'hang') {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = req.headers['webhook-id'];
        if (typeof id === 'string' && !this.arrivals.has(id)) {
          this.arrivals.set(id, performance.now());
          this.received++;
          if (this.waiters.length) this.waiters = this.waiters.filter((w) => (this.received >= w.count ? (w.resolve(), false) : true));
        }
        if (this.mode === 'answer') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"received":true}');
        }
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** Forgets what arrived so far, so that the next phase counts from zero. */
  reset(): void {
    this.arrivals.clear();
    this.received = 0;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
  }

  /** Resolves once `count` distinct webhooks have arrived, or false after the timeout. */
  waitFor(count: number, timeoutMs: number): Promise<boolean> {
    if (this.received >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = { count, resolve: () => (clearTimeout(timer), resolve(true)) };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
