import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = { headers: IncomingHttpHeaders; body: string; json: any; at: number };
export type Answer = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  delayMs?: number;
  hang?: boolean;
  /** Answer only once this settles: the test decides when the receiver speaks. */
  until?: Promise<void>;
  /** Answer by hand instead (a reset, a body cut short, a trickle): status, headers and body are then left to it. */
  act?: (res: ServerResponse) => void;
};

/**
 * A real HTTP receiver on port 0 that records every request and answers as scripted:
 * `answers` is consumed in order, then `fallback` answers. waitFor() resolves when a count
 * of requests has arrived (waitUntil() when a condition on them holds), so tests wait on
 * events, not on time.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  answers: Answer[] = [];
  fallback: Answer = { status: 200, body: '{"received":true}' };
  /** Picks the answer to a request before `answers` and `fallback` do (undefined leaves it to them). */
  script: ((request: ReceivedRequest, requests: readonly ReceivedRequest[]) => Answer | undefined) | undefined;
  private server: Server;
  private waiters: { done: (requests: readonly ReceivedRequest[]) => boolean; resolve: () => void }[] = [];
  private hanging = new Set<() => void>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const request = { headers: req.headers, body, json, at: Date.now() };
        this.requests.push(request);
        const answer = this.script?.(request, this.requests) ?? this.answers.shift() ?? this.fallback;
        const reply = () => {
          if (answer.act) return answer.act(res);
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body ?? '');
        };
        if (answer.hang) {
          this.hanging.add(() => res.destroy());
        } else if (answer.until) void answer.until.then(reply);
        else if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
        this.waiters = this.waiters.filter((w) => (w.done(this.requests) ? (w.resolve(), false) : true));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
  }

  waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, timeoutMs, `expected ${count} requests`);
  }

  /** Resolves when `done` holds, checked now and after every request (for conditions other than a count). */
  waitUntil(done: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs = 15_000, what = 'the condition to hold'): Promise<void> {
    if (done(this.requests)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}, after ${this.requests.length} requests`)), timeoutMs);
      this.waiters.push({ done, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async stop(): Promise<void> {
    for (const destroy of this.hanging) destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
