import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky, { NetworkError } from 'ky';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusOutOfRangeError, dispatcherFetch } from '../../src/webhooks/dispatcher-fetch.js';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

let server: Server;
let base: string;
const seen: Seen[] = [];
/** What each path answers, written by hand on the raw response. */
const answers: Record<string, (res: ServerResponse) => void> = {
  '/echo': (res) => res.writeHead(201, { 'content-type': 'text/plain', 'x-one': 'a' }).end('answered'),
  '/repeated': (res) => res.writeHead(200, [['x-many', 'a'], ['x-many', 'b']]).end(),
  // Node writes a header string's characters as bytes (Latin-1): x-utf8 is "café" in UTF-8,
  // x-invalid holds the bytes 0xFF 0xFE, which are not UTF-8.
  '/raw-header': (res) => res.writeHead(200, { 'x-utf8': Buffer.from('café', 'utf8').toString('latin1'), 'x-invalid': 'a\u00ff\u00fe' }).end(),
  '/redirect': (res) => res.writeHead(302, { location: '/echo' }).end(),
  '/no-content': (res) => res.writeHead(204).end(),
  '/status-999': (res) => res.writeHead(999).end('unknown'),
  '/never': () => undefined,
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answers[req.url!]!(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function withClient<T>(fn: (http: typeof ky) => Promise<T>): Promise<T> {
  const dispatcher = new Agent({ connections: 2 });
  try {
    return await fn(ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual', fetch: dispatcherFetch(dispatcher) }));
  } finally {
    await dispatcher.destroy();
  }
}

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err as Error & { cause?: unknown });

describe('ky over undici’s request API', () => {
  it('sends the method, headers and body ky was given and returns the status, headers and body', async () => {
    await withClient(async (http) => {
      const response = await http.post(`${base}/echo`, { body: '{"a":1}', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' } });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-one')).toBe('a');
      expect(await response.text()).toBe('answered');
      expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/echo', body: '{"a":1}', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'content-length': '7' } });
    });
  });

  it('leaves the body it sent read to its end and unlocked, so that ky cancelling it afterwards is not an error', async () => {
    const dispatcher = new Agent({ connections: 1 });
    try {
      const request = new Request(`${base}/echo`, { method: 'POST', body: 'sent once' });
      await (await dispatcherFetch(dispatcher)(request)).text();
      expect(seen.at(-1)).toMatchObject({ body: 'sent once' });
      expect(request.body!.locked).toBe(false);
      await expect(request.body!.cancel()).resolves.toBeUndefined();
    } finally {
      await dispatcher.destroy();
    }
  });

  it('joins repeated headers and reads a value byte by byte, as fetch does, UTF-8 or not', async () => {
    await withClient(async (http) => {
      expect((await http.get(`${base}/repeated`)).headers.get('x-many')).toBe('a, b');
      const { headers } = await http.get(`${base}/raw-header`);
      const byFetch = (await fetch(`${base}/raw-header`)).headers;
      expect(headers.get('x-utf8')).toBe('caf\u00c3\u00a9');
      expect(headers.get('x-utf8')).toBe(byFetch.get('x-utf8'));
      expect(headers.get('x-invalid')).toBe('a\u00ff\u00fe');
      expect(headers.get('x-invalid')).toBe(byFetch.get('x-invalid'));
    });
  });

  it('never follows a redirect', async () => {
    await withClient(async (http) => {
      const before = seen.length;
      const response = await http.post(`${base}/redirect`, { body: 'x' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/echo');
      expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect']);
    });
  });

  it('gives a 204 without a body', async () => {
    await withClient(async (http) => {
      const response = await http.post(`${base}/no-content`, { body: 'x' });
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
    });
  });

  it('rejects a status outside 200–599, naming it', async () => {
    await withClient(async (http) => {
      const error = await rejection(http.post(`${base}/status-999`, { body: 'x' }));
      // ky 2 wraps what fetch throws in its NetworkError.
      expect(error).toBeInstanceOf(NetworkError);
      const fetchFailure = error!.cause as Error;
      expect(fetchFailure).toBeInstanceOf(TypeError);
      expect(fetchFailure.cause).toBeInstanceOf(StatusOutOfRangeError);
      expect((fetchFailure.cause as StatusOutOfRangeError).status).toBe(999);
    });
  });

  it('rejects with the signal’s reason when it aborts while waiting for the answer', async () => {
    await withClient(async (http) => {
      const controller = new AbortController();
      const answered = http.post(`${base}/never`, { body: 'x', signal: controller.signal });
      await expect.poll(() => seen.some((s) => s.url === '/never')).toBe(true);
      controller.abort(new DOMException('too slow', 'TimeoutError'));
      const error = await rejection(answered);
      expect(error).toMatchObject({ name: 'TimeoutError', message: 'too slow' });
    });
  });
});
