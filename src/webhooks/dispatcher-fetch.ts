import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';

/** Statuses (of those a Response can have) whose response has no body by the Fetch standard. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** A receiver answered a status the Fetch API cannot represent (outside 200–599). */
export class StatusOutOfRangeError extends Error {
  override name = 'StatusOutOfRangeError';
  constructor(readonly status: number) {
    super(`the receiver answered HTTP ${status}, which is not a status of HTTP (200–599)`);
  }
}

/** What ky's `fetch` option takes; ky itself always passes the Request it built. */
export type DispatcherFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The transport under ky for webhook attempts (ky's `fetch` option): the Request ky built,
 * sent with undici's request API on the given dispatcher instead of Node's fetch.
 *
 * Why: Node 20's fetch takes ky's Request apart and builds another, with WHATWG streams for
 * the body each way and objects that only a major garbage collection can free (WeakRefs and a
 * FinalizationRegistry per request). At a few hundred webhooks a second that was both the
 * largest share of the service's CPU and a major collection every few seconds, which held
 * every mutation in flight for 100–250 ms (README, Performance). undici's request API is the
 * layer Node's fetch is built on, on the same dispatcher (its address checks included).
 *
 * What the sender relies on holds as with fetch: redirects are never followed (this API has
 * no redirect handling); the request's signal aborts connecting, waiting and reading the
 * body, and the promise then rejects with the signal's reason; any other failure rejects with
 * `TypeError('fetch failed')` whose `cause` is undici's error, or a StatusOutOfRangeError for a
 * status the Fetch API cannot represent. Header values read as fetch reads them.
 */
export function dispatcherFetch(dispatcher: Dispatcher): DispatcherFetch {
  return async (resource, init) => {
    const input = resource instanceof Request ? resource : new Request(resource, init);
    const headers: string[] = [];
    for (const [name, value] of input.headers) headers.push(name, value);
    const body = await bodyOf(input);
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(input.url, { method: input.method as Dispatcher.HttpMethod, headers, body, signal: input.signal, dispatcher });
    } catch (err) {
      if (input.signal.aborted) throw input.signal.reason;
      throw new TypeError('fetch failed', { cause: err });
    }
    const { statusCode } = answer;
    if (statusCode < 200 || statusCode > 599) {
      discard(answer.body);
      throw new TypeError('fetch failed', { cause: new StatusOutOfRangeError(statusCode) });
    }
    const nullBody = NULL_BODY_STATUSES.has(statusCode);
    if (nullBody) discard(answer.body);
    try {
      return new Response(nullBody ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>), {
        status: statusCode,
        headers: headerPairs(answer.headers),
      });
    } catch (err) {
      // A header the Fetch API refuses (a value with a NUL, say).
      discard(answer.body);
      throw new TypeError('fetch failed', { cause: err });
    }
  };
}

/**
 * The request's body, read to its end with the stream left unlocked: ky cancels the body of
 * every request it sent once the answer is in, and cancelling a body read by arrayBuffer()
 * (a stream still locked) fails, with an error built and thrown away on every request.
 */
async function bodyOf(request: Request): Promise<Buffer | null> {
  if (!request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  reader.releaseLock();
  return Buffer.concat(chunks);
}

/** Stops reading an answer's body; undici reports the stop as an error, which nobody else listens for. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined).destroy();
}

/** Repeated headers come as arrays; undici 7 reads each byte of a value as a character (Latin-1), as fetch does. */
function headerPairs(raw: Dispatcher.ResponseData['headers']): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}
