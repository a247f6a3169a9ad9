import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilReady } from '../../src/db/embedded-postgres.js';

const READY = 'LOG:  database system is ready to accept connections\n';
const children: ChildProcess[] = [];

/** A stand-in for the server: a node process that writes the given script's output to stderr. */
function fakeServer(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('waitUntilReady: the server output kept while it starts', () => {
  it('stops keeping the output once the server is ready, and goes on reading it for the log', async () => {
    const child = fakeServer(`process.stderr.write(${JSON.stringify(READY)}); setInterval(() => process.stderr.write('LOG:  checkpoint starting\\n'), 5);`);
    await waitUntilReady(child, pino({ level: 'silent' }));
    // Only the log's reader is left: nothing collects the output of a server that runs for days.
    expect(child.stderr!.listenerCount('data')).toBe(1);
    expect(child.listenerCount('exit')).toBe(0);
  });

  it('finds the ready line when it arrives in two pieces', async () => {
    const child = fakeServer(
      `process.stderr.write(${JSON.stringify(READY.slice(0, 20))}); setTimeout(() => process.stderr.write(${JSON.stringify(READY.slice(20))}), 50); setInterval(() => {}, 1000);`,
    );
    await expect(waitUntilReady(child, pino({ level: 'silent' }))).resolves.toBeUndefined();
  });

  it('reports a server that exits while starting with the end of its output, not all of it', async () => {
    const child = fakeServer(`for (let i = 0; i < 2000; i++) process.stderr.write('x'.repeat(511) + '\\n'); process.stderr.write('FATAL:  could not create lock file\\n', () => process.exit(3));`);
    const err = await waitUntilReady(child, pino({ level: 'silent' })).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^the embedded PostgreSQL exited with code 3 while starting:\n/);
    expect((err as Error).message).toContain('FATAL:  could not create lock file');
    expect((err as Error).message.length).toBeLessThan(70_000);
  });
});
