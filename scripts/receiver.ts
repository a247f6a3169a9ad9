/**
 * A small local webhook receiver for trying the service out and rehearsing failures:
 *
 *   npm run receiver -- --port 4100 --token my-bearer-token --secret whsec_...
 *   npm run receiver -- --fail 500        answer 500 to everything (watch the retries)
 *
 * It checks the bearer token and the Standard Webhooks signature when given them (--token or
 * RECEIVER_TOKEN, --secret or RECEIVER_SECRET), answers 200, and prints each event readably.
 * Point a channel at it with configureWebhooks (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true, since it
 * listens on 127.0.0.1).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';

const USAGE = `Usage: npm run receiver -- [--port 4100] [--host 127.0.0.1] [--token TOKEN] [--secret whsec_...] [--fail STATUS]

  --port    port to listen on (0: any free port)                          default 4100
  --host    address to listen on                                          default 127.0.0.1
  --token   bearer token to require (or RECEIVER_TOKEN)                   default: not checked
  --secret  signing secret of webhookSettings (or RECEIVER_SECRET)        default: not checked
  --fail    answer this HTTP status instead of 200, to rehearse retries`;

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4100' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      secret: { type: 'string' },
      fail: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  const fail = values.fail === undefined ? undefined : Number(values.fail);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) usageError(`--port ${values.port} is not a port number`);
  if (fail !== undefined && (!Number.isInteger(fail) || fail < 100 || fail > 599)) usageError(`--fail ${values.fail} is not an HTTP status`);
  const secret = values.secret ?? process.env.RECEIVER_SECRET;
  let verifier: Webhook | undefined;
  try {
    verifier = secret ? new Webhook(secret) : undefined;
  } catch {
    usageError('--secret must be the signingSecret of webhookSettings (whsec_ followed by base64)');
  }
  return { port, host: values.host, token: values.token ?? process.env.RECEIVER_TOKEN, verifier, fail };
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const opts = options();
const seen = new Set<string>();

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function refuse(res: ServerResponse, status: number, why: string) {
  process.stdout.write(`${new Date().toISOString()}  refused with ${status}: ${why}\n`);
  answer(res, status, { error: why });
}

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  if (req.method !== 'POST') return refuse(res, 405, `${req.method} is not a webhook; the service sends POST`);
  if (opts.token && header(req, 'authorization') !== `Bearer ${opts.token}`) {
    return refuse(res, 401, 'the Authorization header does not carry the expected bearer token');
  }
  const id = header(req, 'webhook-id');
  if (opts.verifier) {
    try {
      opts.verifier.verify(body, {
        'webhook-id': id,
        'webhook-timestamp': header(req, 'webhook-timestamp'),
        'webhook-signature': header(req, 'webhook-signature'),
      });
    } catch (err) {
      return refuse(res, 401, `the signature does not verify (${(err as Error).message})`);
    }
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return refuse(res, 400, 'the body is not JSON');
  }
  const type = header(req, 'x-recordengine-event') || 'unknown event';
  const entity = type.split('.')[0];
  const again = seen.has(id) ? '  (seen before: a retry or a redelivery; deduplicate by webhook-id)' : '';
  seen.add(id);
  const checks = [opts.token ? 'token ok' : 'token not checked', opts.verifier ? 'signature ok' : 'signature not checked'].join(', ');
  const status = opts.fail ?? 200;
  process.stdout.write(
    `\n${new Date().toISOString()}  ${type}  ${entity} ${String(payload.id)}  webhook-id ${id}${again}\n` +
      `  ${checks}; answering ${status}\n` +
      `${JSON.stringify(payload, null, 2).replace(/^/gm, '  ')}\n`,
  );
  if (opts.fail) answer(res, opts.fail, { error: `answering ${opts.fail} as asked (--fail)` });
  else answer(res, 200, { received: true });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.listen(opts.port, opts.host, () => {
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  process.stdout.write(
    `Webhook receiver listening on http://${host}:${port}/webhook\n` +
      `  bearer token: ${opts.token ? 'checked' : 'not checked (--token)'}; signature: ${opts.verifier ? 'checked' : 'not checked (--secret)'}` +
      `${opts.fail ? `; answering ${opts.fail} to everything` : ''}\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
