import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationListener } from '../../src/bridge/listener.js';
import { createTestDatabase } from '../helpers/db.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await startTcpProxy(db.url);
});

afterAll(async () => {
  await proxy?.close();
  await db?.drop();
});

/** Resolves with the next call of a handler, however long it takes (the test's timeout bounds it). */
function events() {
  const waiting: Record<string, (() => void)[]> = {};
  const seen: string[] = [];
  const fire = (name: string, detail = '') => {
    seen.push(detail ? `${name} ${detail}` : name);
    for (const resolve of waiting[name]?.splice(0) ?? []) resolve();
  };
  const next = (name: string) => new Promise<void>((resolve) => (waiting[name] ??= []).push(resolve));
  return { fire, next, seen };
}

describe('NotificationListener: a LISTEN connection that goes silent', () => {
  it('is noticed by its check, treated as disconnected, and replaced', async () => {
    const e = events();
    const listener = new NotificationListener(
      proxy.url,
      ['listener_check'],
      {
        onNotification: (_channel, payload) => e.fire('notification', payload),
        onConnected: () => e.fire('connected'),
        onDisconnected: () => e.fire('disconnected'),
      },
      pino({ level: 'silent' }),
      { intervalMs: 100, timeoutMs: 2_000 },
    );
    const connected = e.next('connected');
    await listener.start();
    await connected;
    try {
      const disconnected = e.next('disconnected');
      const reconnected = disconnected.then(() => e.next('connected'));
      // Nothing closes: without its own check the listener would wait for TCP keepalive (hours).
      proxy.silenceOpenConnections();
      await disconnected;
      await reconnected;
      expect(proxy.connections).toBe(2);

      // The new connection listens: a notification reaches the handler.
      const notified = e.next('notification');
      const sender = new pg.Client({ connectionString: db.url });
      await sender.connect();
      await sender.query(`select pg_notify('listener_check', 'after')`);
      await sender.end();
      await notified;
      expect(e.seen).toEqual(['connected', 'disconnected', 'connected', 'notification after']);
    } finally {
      await listener.stop();
    }
  });
});
