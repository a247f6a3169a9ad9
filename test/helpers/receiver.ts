import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../src/endpoints/body-schema.js';
import { contractViolation, eventBodyValidator, schemaValidator } from './webhook-contract.js';

export type ReceivedRequest = { headers: IncomingHttpHeaders; path: string; body: string; json: any; at: number };
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

/** An endpoint's URL at this receiver: its bodies wait for the endpoint's body schema, then are held to it. */
type EndpointBodies = { validate: ValidateFunction | undefined; waiting: ReceivedRequest[] };

/**
 * A real HTTP receiver on port 0 that records every request and answers as scripted:
 * `answers` is consumed in order, then `fallback` answers. waitFor() resolves when a count
 * of requests has arrived (waitUntil() when a condition on them holds), so tests wait on
 * events, not on time.
 *
 * It holds every webhook it gets (a request with a webhook-id) to the webhook contract: at
 * `url`, a channel's, to the schema of its x-recordengine-event; at an endpointUrl(), an
 * endpoint's, to the body schema that endpoint publishes (expectEndpoint). A body that leaves
 * the contract makes waitFor() and waitUntil() fail at once, and stop() fail.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** The webhooks whose bodies left the contract, and why. */
  readonly violations: string[] = [];
  private endpoints = new Map<string, EndpointBodies>();
  answers: Answer[] = [];
  fallback: Answer = { status: 200, body: '{"received":true}' };
  /** Picks the answer to a request before `answers` and `fallback` do (undefined leaves it to them). */
  script: ((request: ReceivedRequest, requests: readonly ReceivedRequest[]) => Answer | undefined) | undefined;
  private server: Server;
  private waiters: { done: (requests: readonly ReceivedRequest[]) => boolean; resolve: () => void; reject: (err: Error) => void }[] = [];
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
        const request = { headers: req.headers, path: req.url ?? '/', body, json, at: Date.now() };
        this.requests.push(request);
        this.holdToContract(request);
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

  private get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The URL for a channel: its webhooks' bodies are held to their event types' schemas. */
  get url(): string {
    return `${this.origin}/webhook`;
  }

  /** A URL of its own for a webhook endpoint: its bodies are held to the schema given to expectEndpoint(). */
  endpointUrl(): string {
    const path = `/endpoint/${this.endpoints.size + 1}`;
    this.endpoints.set(path, { validate: undefined, waiting: [] });
    return `${this.origin}${path}`;
  }

  /** The body schema of the endpoint that sends to `url` (WebhookEndpoint.bodySchema): what arrived there and what will is held to it. */
  expectEndpoint(url: string, bodySchema: JsonSchema): void {
    const bodies = this.endpoints.get(new URL(url).pathname);
    if (!bodies) throw new Error(`${url} is not an endpointUrl() of this receiver`);
    bodies.validate = schemaValidator(bodySchema);
    for (const request of bodies.waiting.splice(0)) this.judge(request, bodies.validate, 'endpoint body');
  }

  private holdToContract(request: ReceivedRequest): void {
    if (request.headers['webhook-id'] === undefined) return;
    const endpoint = this.endpoints.get(request.path);
    if (endpoint) {
      if (endpoint.validate) this.judge(request, endpoint.validate, 'endpoint body');
      else endpoint.waiting.push(request);
      return;
    }
    const eventType = String(request.headers['x-recordengine-event']);
    const validate = eventBodyValidator(eventType);
    if (validate) this.judge(request, validate, eventType);
    else this.violate(`webhook ${String(request.headers['webhook-id'])}: ${eventType} is not an event type of the webhook contract`);
  }

  private judge(request: ReceivedRequest, validate: ValidateFunction, what: string): void {
    const why = contractViolation(validate, request.json);
    if (why) this.violate(`webhook ${String(request.headers['webhook-id'])} (${what}) leaves the contract: ${why}; body ${request.body.slice(0, 500)}`);
  }

  private violate(message: string): void {
    this.violations.push(message);
    const error = new Error(message);
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    return this.waitUntil(() => this.requests.length >= count, timeoutMs, `expected ${count} requests`);
  }

  /** Resolves when `done` holds, checked now and after every request (for conditions other than a count). */
  waitUntil(done: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs = 15_000, what = 'the condition to hold'): Promise<void> {
    if (this.violations.length) return Promise.reject(new Error(this.violations[0]));
    if (done(this.requests)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}, after ${this.requests.length} requests`)), timeoutMs);
      this.waiters.push({ done, resolve: () => (clearTimeout(timer), resolve()), reject: (err) => (clearTimeout(timer), reject(err)) });
    });
  }

  /** Stops listening; fails when a body left the contract, or an endpoint's bodies never met its schema. */
  async stop(): Promise<void> {
    for (const destroy of this.hanging) destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const unjudged = [...this.endpoints].filter(([, bodies]) => bodies.waiting.length).map(([path]) => path);
    const problems = [...this.violations, ...unjudged.map((path) => `webhooks arrived at ${path}, an endpoint URL no body schema was given for (expectEndpoint)`)];
    if (problems.length) throw new Error(`The receiver got webhooks outside the contract:\n${problems.join('\n')}`);
  }
}
