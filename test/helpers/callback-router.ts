import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CallbackMessage = {
  action: 'check' | 'next' | 'complete';
  id: string;
  verifier: string;
  payload?: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] };
  errors?: { message: string; extensions?: Record<string, any> }[];
  headers: IncomingHttpHeaders;
  /** The status the router answered. */
  status: number;
};

export type RouterSubscription = {
  id: string;
  verifier: string;
  callbackUrl: string;
  /** Every message posted for it, in order, with the router's answer. */
  messages: CallbackMessage[];
  /** Answer 404 to the next message of this action (then to everything): the router dropped the subscription. */
  dropOn?: 'check' | 'next';
  /** Answer the initial check with this status instead of 204. */
  refuseCheck?: number;
  /** Answer a `next` only once this settles. */
  holdNext?: Promise<void>;
  /** Answer the initial check only once this settles (a router that does not answer). */
  holdCheck?: Promise<void>;
  /** Set once the router answered 404 or got `complete`: from then on every message is answered 404. */
  endedAt?: number;
};

/**
 * The router's part of the HTTP callback protocol, on port 0: it sends the subscription
 * request with the callback extension, answers `check` with 204 and `subscription-protocol:
 * callback/1.0`, records `next` and `complete`, and answers 404 for a subscription it dropped.
 */
export class CallbackRouter {
  private readonly subscriptions = new Map<string, RouterSubscription>();
  private readonly server: Server;
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<CallbackMessage, 'headers' | 'status'>;
        const sub = this.subscriptions.get(req.url?.replace(/^\/callback\//, '') ?? '');
        const answer = (status: number) => {
          if (sub) sub.messages.push({ ...body, headers: req.headers, status });
          res.writeHead(status, status === 204 && body.action === 'check' ? { 'subscription-protocol': 'callback/1.0' } : {});
          res.end();
          this.waiters = this.waiters.filter((w) => (w.done() ? (w.resolve(), false) : true));
        };
        if (!sub || sub.endedAt !== undefined || body.id !== sub.id) return answer(404);
        if (body.verifier !== sub.verifier) return answer(400);
        if (body.action === 'check' && sub.refuseCheck && sub.messages.length === 0) return answer(sub.refuseCheck);
        if (body.action === 'check' && sub.holdCheck && sub.messages.length === 0) return void sub.holdCheck.then(() => answer(204));
        const isHeartbeat = body.action === 'check' && sub.messages.length > 0;
        if ((sub.dropOn === 'check' && isHeartbeat) || (sub.dropOn === 'next' && body.action === 'next')) {
          sub.endedAt = sub.messages.length;
          return answer(404);
        }
        if (body.action === 'complete') sub.endedAt = sub.messages.length;
        if (body.action === 'next' && sub.holdNext) return void sub.holdNext.then(() => answer(200));
        answer(body.action === 'check' ? 204 : 200);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** What SUBSCRIPTION_CALLBACK_URLS names: every callback URL of this router is under it. */
  get prefix(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback/`;
  }

  /**
   * Sends a subscription operation to the service as a router in callback mode does; returns
   * the service's answer and the subscription as the router keeps it.
   */
  async subscribe(
    serviceUrl: string,
    token: string,
    query: string,
    opts: { variables?: Record<string, unknown>; heartbeatIntervalMs?: number; callbackUrl?: string } & Pick<RouterSubscription, 'dropOn' | 'refuseCheck' | 'holdNext' | 'holdCheck'> = {},
  ) {
    const id = randomUUID();
    const sub: RouterSubscription = {
      id,
      verifier: randomUUID(),
      callbackUrl: opts.callbackUrl ?? `${this.prefix}${id}`,
      messages: [],
      dropOn: opts.dropOn,
      refuseCheck: opts.refuseCheck,
      holdNext: opts.holdNext,
      holdCheck: opts.holdCheck,
    };
    this.subscriptions.set(id, sub);
    const res = await fetch(`${serviceUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json;callbackSpec=1.0', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query,
        variables: opts.variables,
        extensions: {
          subscription: { callbackUrl: sub.callbackUrl, subscriptionId: id, verifier: sub.verifier, heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 0 },
        },
      }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, any> }[] };
    return { status: res.status, body, sub };
  }

  /** Resolves when `done` holds, checked now and after every message. */
  waitUntil(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The messages of one action. */
export function messagesOf(sub: RouterSubscription, action: CallbackMessage['action']): CallbackMessage[] {
  return sub.messages.filter((m) => m.action === action);
}
