import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenAddressError, createSafeDispatcher } from '../../src/webhooks/safe-dispatcher.js';
import { addressProblem } from '../../src/webhooks/url-guard.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the address check at connect time', () => {
  it('refuses a name that resolves to a loopback address when private networks are not allowed', async () => {
    const dispatcher = createSafeDispatcher({ allowPrivate: false, connections: 1, timeoutMs: 1_000 });
    try {
      const error = await request(`http://localhost:${port}/`, { dispatcher }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ForbiddenAddressError);
      expect((error as Error).message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback, private or link-local address/);
    } finally {
      await dispatcher.close();
    }
  });

  it('connects to the same name when they are allowed', async () => {
    const dispatcher = createSafeDispatcher({ allowPrivate: true, connections: 1, timeoutMs: 1_000 });
    try {
      const res = await request(`http://localhost:${port}/`, { dispatcher });
      expect(await res.body.text()).toBe('ok');
    } finally {
      await dispatcher.close();
    }
  });
});

describe('forbidden addresses', () => {
  it('never allows a cloud metadata address, in any spelling', () => {
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd00:ec2::254', '100.100.100.200']) {
      expect(addressProblem(address, true)).toMatch(/is a cloud metadata address, which is never allowed$/);
    }
  });

  it('refuses private ranges only while they are not allowed', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:7f00:1']) {
      expect(addressProblem(address, false)).toMatch(/is a loopback, private or link-local address/);
      expect(addressProblem(address, true)).toBeUndefined();
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) expect(addressProblem(address, false)).toBeUndefined();
  });
});
