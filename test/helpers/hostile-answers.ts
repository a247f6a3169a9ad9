import type { ServerResponse } from 'node:http';

/**
 * Answers no receiver should give and some do, each written by hand on the raw response.
 * `delivers` says whether the service takes it as delivered (a complete HTTP 200); every
 * other one is a failed attempt that must still be recorded and retried.
 */
export type HostileAnswer = { name: string; delivers: boolean; act: (res: ServerResponse) => void };

/** Bytes that are not UTF-8: a stray continuation, 0xFF, an encoded surrogate, a sequence cut short. */
const INVALID_UTF8 = Buffer.from([0x80, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x41, 0xc3]);
const MB = 1024 * 1024;

/** Writes until the peer goes away; cancelled reads end it. */
function endless(res: ServerResponse, chunk: Buffer): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
  };
  res.on('drain', pump);
  pump();
}

/** One byte now and then, for ever: the headers arrive, the body never ends. */
function trickle(res: ServerResponse, everyMs: number): void {
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), everyMs);
  res.on('close', () => clearInterval(timer));
}

/**
 * @param redirectTo where the redirects point besides the cloud metadata address: a URL that
 *   must never be requested (a redirect is not followed, so no URL check can be bypassed).
 */
export function hostileAnswers(redirectTo: string): HostileAnswer[] {
  const plain = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => (res: ServerResponse) =>
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  return [
    { name: 'nul-500', delivers: false, act: plain(500, 'database\u0000down') },
    { name: 'nul-200', delivers: true, act: plain(200, 'ok\u0000') },
    { name: 'invalid-utf8-500', delivers: false, act: plain(500, Buffer.concat(Array.from({ length: 256 }, () => INVALID_UTF8))) },
    { name: 'invalid-utf8-200', delivers: true, act: plain(200, INVALID_UTF8) },
    { name: 'three-mb-500', delivers: false, act: plain(500, Buffer.alloc(3 * MB, 'x')) },
    {
      name: 'endless-200',
      delivers: true,
      act: (res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        endless(res, Buffer.alloc(64 * 1024, 'y'));
      },
    },
    { name: 'redirect-to-metadata', delivers: false, act: plain(302, '', { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }) },
    { name: 'redirect-elsewhere', delivers: false, act: plain(307, '', { location: redirectTo }) },
    { name: 'retry-after-garbage-429', delivers: false, act: plain(429, 'slow down', { 'retry-after': 'soon, \u00ff\u00fe maybe' }) },
    { name: 'retry-after-huge-503', delivers: false, act: plain(503, '', { 'retry-after': '9'.repeat(400) }) },
    { name: 'retry-after-far-date-429', delivers: false, act: plain(429, '', { 'retry-after': new Date(Date.now() + 365 * 86_400_000).toUTCString() }) },
    { name: 'retry-after-long-503', delivers: false, act: plain(503, '', { 'retry-after': 'x'.repeat(8_000) }) },
    { name: 'reset', delivers: false, act: (res) => res.socket?.resetAndDestroy() },
    {
      name: 'truncated-200',
      delivers: false,
      act: (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"rece', () => res.socket?.destroy());
      },
    },
    {
      name: 'trickle-200',
      delivers: false,
      act: (res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        trickle(res, 50);
      },
    },
    { name: 'headers-overflow-200', delivers: false, act: plain(200, 'ok', { 'x-padding': 'a'.repeat(40_000) }) },
    { name: 'status-999', delivers: false, act: plain(999, 'a status no standard knows') },
    { name: 'no-content-204', delivers: false, act: (res) => res.writeHead(204).end() },
    { name: 'malformed-json-200', delivers: true, act: plain(200, '{"received": tru', { 'content-type': 'application/json' }) },
    { name: 'malformed-json-400', delivers: false, act: plain(400, '{"error": [1, 2', { 'content-type': 'application/json' }) },
  ];
}
