import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/** The JSON lines a logger made by createLogger writes. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('info', 'json', false, destination), lines };
}

it('logs an error with its type, message, code, stack and causes, never the objects it points to', () => {
  const { log, lines } = capture();
  const client = {
    connectionParameters: { connectionString: 'postgres://recordengine:secret@db.internal:5432/recordengine' },
    parsedStatements: { 'token-is-valid': 'select 1 from api_tokens where token_hash = $1' },
  };
  const cause = Object.assign(new Error('Connection terminated unexpectedly'), { client });
  const err = Object.assign(new Error('terminating connection due to administrator command', { cause }), { code: '57P01', client, routine: 'ProcessInterrupts' });
  log.warn({ err }, 'an outage');
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  const logged = JSON.parse(line).err;
  expect(logged).toEqual({
    type: 'Error',
    message: 'terminating connection due to administrator command',
    code: '57P01',
    stack: expect.stringContaining('log-error.test.ts'),
    cause: { type: 'Error', message: 'Connection terminated unexpectedly', stack: expect.any(String) },
  });
  expect(line).not.toContain('postgres://');
  expect(line).not.toContain('api_tokens');
});

it('follows a loop of causes a bounded number of times', () => {
  const { log, lines } = capture();
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as Error & { cause: unknown }).cause = b;
  log.error({ err: a }, 'a loop');
  let depth = 0;
  for (let e = JSON.parse(lines[0]!).err; e; e = e.cause) depth++;
  expect(depth).toBe(6);
});
