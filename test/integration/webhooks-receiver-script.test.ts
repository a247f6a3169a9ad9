import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { newSigningSecret } from '../../src/webhooks/settings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = newSigningSecret();
const TOKEN = 'local-token';

let child: ChildProcess | undefined;
let output = '';

/** `npm run receiver` as a user starts it (tsx scripts/receiver.ts), on a free port; resolves with its URL. */
async function startReceiver(...args: string[]): Promise<string> {
  output = '';
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/receiver.ts', '--port', '0', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const url = /listening on (http:\S+)/.exec(output)?.[1];
      if (url) {
        child!.stdout!.off('data', onData);
        resolve(url);
      }
    };
    child!.stdout!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`the receiver exited with ${code}:\n${output}`)));
  });
}

/** Resolves once the receiver has printed `text`. */
function printed(text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => output.includes(text) && (child!.stdout!.off('data', check), resolve());
    child!.stdout!.on('data', check);
    check();
  });
}

function signedPost(url: string, payload: object, opts: { id?: string; token?: string; secret?: string } = {}) {
  const body = JSON.stringify(payload);
  const id = opts.id ?? 'msg_0123456789abcdef0123456789abcdef';
  const at = new Date();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${opts.token ?? TOKEN}`,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(opts.secret ?? SECRET).sign(id, at, body),
      'x-recordengine-event': 'contact.updated',
    },
    body,
  });
}

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

describe('npm run receiver', () => {
  it('checks the bearer token and the signature, answers 200 and prints the event', async () => {
    const url = await startReceiver('--token', TOKEN, '--secret', SECRET);
    const res = await signedPost(url, { id: 5, name: 'Acme Corporation' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    await printed('"name": "Acme Corporation"');
    expect(output).toMatch(/contact\.updated {2}contact 5 {2}webhook-id msg_0123456789abcdef0123456789abcdef\n {2}token ok, signature ok; answering 200\n/);

    const again = await signedPost(url, { id: 5, name: 'Acme Corporation' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true });
    await printed('seen before: a retry or a redelivery');

    const forged = await signedPost(url, { id: 5 }, { secret: newSigningSecret() });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toMatch(/^the signature does not verify/);

    const stranger = await signedPost(url, { id: 5 }, { token: 'someone-else' });
    expect(stranger.status).toBe(401);
    expect(await stranger.json()).toEqual({ error: 'the Authorization header does not carry the expected bearer token' });
  });

  it('answers the status of --fail instead, to rehearse retries', async () => {
    const url = await startReceiver('--fail', '503');
    const res = await signedPost(url, { id: 12, name: 'Q4 Invoices' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'answering 503 as asked (--fail)' });
    await printed('token not checked, signature not checked; answering 503');
  });

  it('refuses options it cannot use', async () => {
    await expect(startReceiver('--secret', 'not-a-secret')).rejects.toThrow(/--secret must be the signingSecret of webhookSettings/);
    await expect(startReceiver('--fail', '99')).rejects.toThrow(/--fail 99 is not an HTTP status/);
  });
});
