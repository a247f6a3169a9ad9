import { isIP } from 'node:net';
import ky, { isNetworkError, type KyInstance } from 'ky';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import { timeLimit } from '../time-limit.js';
import { StatusOutOfRangeError, dispatcherFetch } from './dispatcher-fetch.js';
import { createSafeDispatcher } from './safe-dispatcher.js';
import { readExcerpt, storableText } from './response-excerpt.js';
import { addressProblem } from './url-guard.js';
import type { AttemptOutcome } from './retry-policy.js';
import { isSuccess, parseRetryAfter } from './retry-policy.js';

export const USER_AGENT = 'RecordEngine-Webhooks/1.0';
/** An error is our own short message, but it can quote what the receiver sent (a Location header, a socket error). */
const ERROR_BYTES = 1024;

export type OutgoingWebhook = {
  url: string;
  /** The event id: the webhook-id, the same on every attempt. */
  eventId: string;
  eventType: string;
  body: string;
  bearerToken: string | null;
  signingSecret: string;
  /** After a rotation, for WEBHOOK_SECRET_OVERLAP: a second signature, made with the secret it replaced. */
  previousSigningSecret?: string | null;
};

export type AttemptResult = {
  outcome: AttemptOutcome;
  ok: boolean;
  httpStatus: number | null;
  startedAt: Date;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
};

/**
 * One ky instance for every delivery: no retries (the delivery log retries, on its
 * schedule), no redirects, no hooks, a response is read as it is whatever its status.
 * WEBHOOK_TIMEOUT bounds the whole attempt, reading the answer included: ky's own timeout
 * ends when the headers arrive, and a receiver that then stalls would hold a worker slot
 * past its lease.
 * ky's per-request cost is in building a Request and merging options; a single instance
 * and a string body keep it small. ky sends through undici's request API on the undici Agent
 * (dispatcher-fetch.ts), not through Node's fetch, whose per-request objects were the
 * service's largest cost at a few hundred webhooks a second.
 */
export class WebhookSender {
  private readonly http: KyInstance;
  private readonly dispatcher: Agent;
  private readonly signers = new Map<string, Webhook>();

  /** For the service's own inspector URLs, which may be on a private address without private networks being allowed. */
  private readonly ownDispatcher: Agent;
  private readonly ownHttp: KyInstance;

  constructor(
    private readonly opts: { timeoutMs: number; allowPrivate: boolean; connections: number; isOwnUrl?: (url: string) => boolean },
  ) {
    this.dispatcher = createSafeDispatcher({ allowPrivate: opts.allowPrivate, connections: opts.connections, timeoutMs: opts.timeoutMs });
    this.ownDispatcher = new Agent({ connections: 4, connectTimeout: Math.min(opts.timeoutMs, 10_000) });
    const client = (dispatcher: Agent) => ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual', fetch: dispatcherFetch(dispatcher) });
    this.http = client(this.dispatcher);
    this.ownHttp = client(this.ownDispatcher);
  }

  /** Signers of the current secret and, during an overlap, the previous one; older ones are dropped. */
  private signer(secret: string): Webhook {
    let signer = this.signers.get(secret);
    if (!signer) {
      signer = new Webhook(secret);
      if (this.signers.size >= 2) this.signers.delete(this.signers.keys().next().value!);
      this.signers.set(secret, signer);
    }
    return signer;
  }

  /** Standard Webhooks: several signatures in one header, separated by spaces; a receiver accepts any that matches. */
  private signature(message: OutgoingWebhook, at: Date): string {
    const secrets = message.previousSigningSecret ? [message.signingSecret, message.previousSigningSecret] : [message.signingSecret];
    return secrets.map((secret) => this.signer(secret).sign(message.eventId, at, message.body)).join(' ');
  }

  headers(message: OutgoingWebhook, at: Date): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': message.eventId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.signature(message, at),
      'x-recordengine-event': message.eventType,
    };
    if (message.bearerToken) headers.authorization = `Bearer ${message.bearerToken}`;
    return headers;
  }

  /** One attempt, bounded by WEBHOOK_TIMEOUT: the limit covers the request and reading the answer, and ends with the attempt. */
  async send(message: OutgoingWebhook): Promise<AttemptResult> {
    const limit = timeLimit(this.opts.timeoutMs);
    try {
      return await this.attempt(message, limit.signal);
    } finally {
      limit.clear();
    }
  }

  private async attempt(message: OutgoingWebhook, signal: AbortSignal): Promise<AttemptResult> {
    const startedAt = new Date();
    const started = performance.now();
    const done = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
      ...r,
      error: r.error === null ? null : storableText(r.error, ERROR_BYTES),
      startedAt,
      durationMs: Math.round(performance.now() - started),
    });
    const failed = (error: string, httpStatus: number | null = null) =>
      done({ outcome: { kind: 'error', error }, ok: false, httpStatus, responseExcerpt: null, error });
    const own = this.opts.isOwnUrl?.(message.url) ?? false;
    const literal = new URL(message.url).hostname.replace(/^\[|\]$/g, '');
    const problem = !own && isIP(literal) ? addressProblem(literal, this.opts.allowPrivate) : undefined;
    if (problem) return failed(problem);
    let response: Response;
    try {
      response = await (own ? this.ownHttp : this.http).post(message.url, { body: message.body, headers: this.headers(message, startedAt), signal });
    } catch (thrown) {
      const err = fetchError(thrown);
      const cause = (err as Error).cause;
      if (cause instanceof StatusOutOfRangeError) return failed(`${cause.message}; only 200 counts as delivered`, cause.status);
      return failed(describeError(err, this.opts.timeoutMs));
    }
    let excerpt: string | null;
    try {
      excerpt = await readExcerpt(response, signal);
    } catch (err) {
      // The status came but the body broke off or stalled: not a complete answer, whatever the status.
      const why = describeError(err, this.opts.timeoutMs);
      return failed((err as Error).name === 'TimeoutError' ? why : `the answer broke off after its headers: ${why}`, response.status);
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const ok = isSuccess(response.status);
    return done({
      outcome: { kind: 'response', status: response.status, retryAfterMs },
      ok,
      httpStatus: response.status,
      responseExcerpt: excerpt,
      error: ok ? null : statusError(response),
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatcher.close(), this.ownDispatcher.close()]);
  }
}

function statusError(response: Response): string {
  const location = response.headers.get('location');
  const redirect = response.status >= 300 && response.status < 400 ? ` (a redirect${location ? ` to ${location.slice(0, 200)}` : ''}, which is not followed)` : '';
  return `the receiver answered HTTP ${response.status}${redirect}; only 200 counts as delivered`;
}

/** ky 2 wraps what fetch threw (`TypeError('fetch failed')`, its cause the transport's error) in a NetworkError. */
function fetchError(err: unknown): unknown {
  return isNetworkError(err) ? err.cause : err;
}

function describeError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e.name === 'TimeoutError') return `no complete answer within ${timeoutMs} ms (WEBHOOK_TIMEOUT)`;
  const cause = e.cause;
  if (cause?.name === 'ForbiddenAddressError') return cause.message;
  if (cause?.code) return `${cause.code}: ${cause.message}`;
  return e.message;
}
