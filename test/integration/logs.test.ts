import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_TOKEN } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const running = new Set<() => Promise<void>>();

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all([...running].map((stop) => stop()));
  await database.drop();
});

/** The service as its own process, stdout a pipe (not a terminal); resolves once it serves. */
async function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: database.url, API_TOKEN: TEST_TOKEN, WEBHOOK_WORKER: 'false', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  running.add(stop);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // The only http URL the service prints is its own, on the "service started" line.
      const started = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (out.includes('service started') && started) resolve(started[0]);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before it served:\n${out}`)));
  });
  return {
    url,
    output: () => out,
    /** Resolves with the output once `pattern` appears in it. */
    async waitFor(pattern: RegExp) {
      while (!pattern.test(out)) await new Promise((resolve) => child.stdout!.once('data', resolve));
      return out;
    },
  };
}

async function badQuery(url: string, requestId?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` };
  if (requestId) headers['x-request-id'] = requestId;
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: '{ contact(id: "nope") { id } }' }) });
  return { header: res.headers.get('x-request-id'), body: (await res.json()) as { errors: { extensions: { code: string; requestId: string } }[] } };
}

it('writes JSON lines when stdout is not a terminal, and each line of a request carries the id its errors name', async () => {
  const service = await startService({ LOG_LEVEL: 'debug' });
  const { header, body } = await badQuery(service.url, 'client-chosen.id-42');
  expect(header).toBe('client-chosen.id-42');
  expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'client-chosen.id-42' });

  const unprintable = await badQuery(service.url, 'has spaces and "quotes"');
  expect(unprintable.header).toMatch(/^[0-9a-f-]{36}$/);
  expect(unprintable.body.errors[0]!.extensions.requestId).toBe(unprintable.header);

  const out = await service.waitFor(new RegExp(`"requestId":"${unprintable.header}"`));
  // Log lines are JSON; the one line that is not a log line tells a person where the console is.
  const lines = out.split('\n').filter((line) => line !== '' && !line.startsWith('Console: '));
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  const ofRequest = lines.map((l) => JSON.parse(l)).filter((l) => l.requestId === 'client-chosen.id-42');
  expect(ofRequest.map((l) => l.msg)).toContain('request');
  const request = ofRequest.find((l) => l.msg === 'request');
  expect(request).toMatchObject({ msg: 'request', method: 'POST', path: '/graphql', status: 200 });
});

it('writes readable lines with LOG_FORMAT=pretty, the request id among them', async () => {
  const service = await startService({ LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' });
  const { header } = await badQuery(service.url, 'pretty-request-7');
  expect(header).toBe('pretty-request-7');
  const out = await service.waitFor(/pretty-request-7/);
  const requestLine = out.split('\n').find((l) => l.includes('pretty-request-7'))!;
  expect(() => JSON.parse(requestLine)).toThrow();
  expect(out).toMatch(/INFO.*service started/);
  expect(out).toMatch(/DEBUG.*request/);
});
