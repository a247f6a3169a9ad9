import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';

export type CloseInfo = { code: number; reason: string };

type Waiter = { count: number; resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout };

function waitUntil(waiters: Waiter[], count: number, current: () => number, what: string, timeoutMs: number): Promise<void> {
  if (current() >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      count,
      resolve: () => (clearTimeout(waiter.timer), resolve()),
      reject,
      timer: setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`expected ${count} ${what}, got ${current()}`));
      }, timeoutMs),
    };
    waiters.push(waiter);
  });
}

function settle(waiters: Waiter[], current: number): void {
  for (const w of [...waiters]) {
    if (current >= w.count) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}

/**
 * One operation's results as they arrive. With `resume`, the operation's variables are
 * updated after each result (graphql-ws sends the same variables object again when it
 * reconnects), so that a reconnection resumes after the last result received.
 */
export class TestSubscription<T = Record<string, any>> {
  readonly results: FormattedExecutionResult<T, unknown>[] = [];
  error: unknown;
  completed = false;
  private waiters: Waiter[] = [];
  private ended: Promise<void>;
  private unsubscribe: () => void = () => undefined;

  constructor(client: Client, query: string, variables: Record<string, unknown>, resume?: (data: T) => Record<string, unknown>) {
    this.ended = new Promise((resolve) => {
      this.unsubscribe = client.subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            this.results.push(result);
            if (resume && result.data) Object.assign(variables, resume(result.data));
            settle(this.waiters, this.results.length);
          },
          error: (err) => {
            this.error = err;
            resolve();
          },
          complete: () => {
            this.completed = true;
            resolve();
          },
        },
      );
    });
  }

  get data(): T[] {
    return this.results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!;
    });
  }

  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    return waitUntil(this.waiters, count, () => this.results.length, 'results', timeoutMs);
  }

  /** Resolves when the operation completed or failed. */
  end(): Promise<void> {
    return this.ended;
  }

  stop(): void {
    this.unsubscribe();
  }
}

/**
 * The real graphql-ws client on the `ws` implementation, with every socket it opens kept,
 * so that tests can pause, cut or inspect them, and every close recorded.
 */
export class TestWsClient {
  readonly client: Client;
  readonly sockets: WebSocket[] = [];
  readonly closes: CloseInfo[] = [];
  private closeWaiters: Waiter[] = [];

  constructor(
    appUrl: string,
    opts: { token?: string | null; connectionParams?: Record<string, unknown>; retry?: boolean } = {},
  ) {
    const sockets = this.sockets;
    class TrackedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    this.client = createClient({
      url: `${appUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: TrackedWebSocket,
      connectionParams: opts.connectionParams ?? (opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      retryAttempts: opts.retry ? 20 : 0,
      // Reconnect at the next turn of the event loop: the tests wait on events, not on time.
      retryWait: () => new Promise((resolve) => setImmediate(resolve)),
      shouldRetry: () => opts.retry === true,
      on: {
        closed: (event) => {
          const { code, reason } = event as CloseInfo;
          this.closes.push({ code, reason: String(reason) });
          settle(this.closeWaiters, this.closes.length);
        },
      },
    });
  }

  get socket(): WebSocket | undefined {
    return this.sockets.at(-1);
  }

  subscribe<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, resume?: (data: T) => Record<string, unknown>): TestSubscription<T> {
    return new TestSubscription<T>(this.client, query, variables, resume);
  }

  /** Resolves with the `count`-th close of this client's sockets (1 = the first). */
  async closed(count = 1, timeoutMs = 10_000): Promise<CloseInfo> {
    await waitUntil(this.closeWaiters, count, () => this.closes.length, 'closes', timeoutMs);
    return this.closes[count - 1]!;
  }

  /** Disposes the client and waits until each of its sockets is closed. */
  async dispose(): Promise<void> {
    await this.client.dispose();
    await Promise.all(
      this.sockets.map((s) => (s.readyState === WebSocket.CLOSED ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve())))),
    );
  }
}
