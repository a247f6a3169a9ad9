import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import ky from 'ky';
import { Agent, request } from 'undici';
import { timeLimit } from '../../src/time-limit.js';
import { dispatcherFetch } from '../../src/webhooks/dispatcher-fetch.js';
import { contactPayload } from '../lib/events.js';
import { closedLoop } from '../lib/load.js';
import { summarize } from '../lib/stats.js';

/**
 * The baselines of bench/delivery.ts: a bare POST loop against the same receiver, at the same
 * concurrency as the delivery worker, with nothing but the HTTP client in the way. Prints one
 * JSON line: requests/s, latency and the CPU this process spent per request.
 *
 *   ky        ky.post() with per-call options and ky's own timeout, as most code calls it
 *   ky-lean   one ky instance made once, configured as src/webhooks/sender.ts configures it
 *             (no retry, no hooks, no ky timeout, a string body, the sender's time limit per
 *             request, src/time-limit.ts, cleared once the answer is read; sending through
 *             undici's request API: src/webhooks/dispatcher-fetch.ts)
 *   fetch     Node's fetch with the same time limit, on Node's own dispatcher (as ky above):
 *             Node 24's fetch is the undici 7 inside Node, which takes no Agent of the undici 8
 *             the others use; its dispatcher opens a connection per caller as they do
 *   undici    undici's request API (the layer under fetch) on the same Agent, same time limit:
 *             what an HTTP client costs without the Fetch API's Request, Response and streams
 */
const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    url: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
    duration: { type: 'string' },
    profile: { type: 'string' },
  },
});
const url = values.url!;
const concurrency = Number(values.concurrency);
const timeoutMs = 15_000;
const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
const body = contactPayload(5);
const headers = (i: number) => ({
  'content-type': 'application/json',
  'user-agent': 'RecordEngine-Webhooks/1.0',
  'webhook-id': `msg_loop_${i}`,
  'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
});

const lean = ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual', fetch: dispatcherFetch(dispatcher) });
type Answer = { status: number; text(): Promise<string> };
/** Each client sends request i; `signal` is the time limit of the request and its answer (ky's own client keeps ky's timeout). */
const clients: Record<string, (i: number, signal: AbortSignal) => Promise<Answer>> = {
  ky: (i) =>
    ky.post(url, { body, headers: headers(i), retry: 0, throwHttpErrors: false, timeout: timeoutMs }),
  'ky-lean': (i, signal) => lean.post(url, { body, headers: headers(i), signal }),
  fetch: (i, signal) => fetch(url, { method: 'POST', body, headers: headers(i), redirect: 'manual', signal }),
  undici: async (i, signal) => {
    const answer = await request(url, { method: 'POST', body, headers: headers(i), signal, dispatcher });
    return { status: answer.statusCode, text: () => answer.body.text() };
  },
};
const client = clients[values.client!];
if (!client) throw new Error(`--client ${values.client} is not one of ${Object.keys(clients).join(', ')}`);

const send = async (i: number) => {
  const limit = timeLimit(timeoutMs);
  try {
    const res = await client(i, limit.signal);
    await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  } finally {
    limit.clear();
  }
};

const session = values.profile ? new Session() : undefined;
const warmupMs = Number(values.warmup);
const durationMs = Number(values.duration);
// Warm up apart, so that the CPU and the profile cover only the measured window.
await closedLoop({ concurrency, warmupMs: 0, durationMs: warmupMs, send });
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const result = await closedLoop({ concurrency, warmupMs: 0, durationMs, send });
const cpu = process.cpuUsage(cpu0);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  mkdirSync(path.dirname(values.profile!), { recursive: true });
  writeFileSync(values.profile!, JSON.stringify(profile));
  session.disconnect();
}
await dispatcher.close();
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({
    client: values.client,
    perSecond: Math.round(result.completed / result.seconds),
    latency: summarize(result.latencies),
    cpuMsPerRequest: Math.round((cpuMs / Math.max(1, result.latencies.length)) * 1000) / 1000,
    errors: result.errors,
    firstError: result.firstError,
  })}\n`,
);
