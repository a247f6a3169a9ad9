import { EventEmitter, on } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express from 'express';
import { useServer } from 'graphql-ws/use/ws';
import ky from 'ky';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import { WebSocketServer } from 'ws';
import { timeLimit } from '../../src/time-limit.js';
import { dispatcherFetch } from '../../src/webhooks/dispatcher-fetch.js';

/**
 * A baseline of bench/flow.ts, the flow on the bare stack: the least a server on this stack
 * does for the same flow, with none of the service's guarantees. Apollo Server 5 on express 5
 * (as bench/servers/bare-apollo.ts) whose mutation writes one row in one statement (its own
 * transaction, committed as the service's changes are); once it is written, one signed
 * webhook POST with ky configured as the service's sender, its time limit included (fire
 * and forget: no claim, no record, no retry), a frame to every graphql-ws subscriber (an
 * in-memory emitter), and the answer. What the service costs beyond this buys the outbox,
 * at-least-once delivery in order, the delivery log and the rest.
 *
 *   env: PORT, DATABASE_URL, WEBHOOK_URL
 *   GET /metrics   graphql_ws_live_subscribers, as the service counts them
 */
const typeDefs = `#graphql
  type Query { ok: Boolean! }
  input TouchInput { aiSummary: String }
  type Touched { id: ID! aiSummary: String eventId: ID! }
  type Mutation { touch(id: ID!, input: TouchInput!): Touched! }
  type Event { id: ID! }
  type Subscription { events: Event! }
`;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
await pool.query('create table if not exists bare_flow_events (seq bigserial primary key, id text not null, entity_id int not null, payload jsonb not null)');
const webhookUrl = process.env.WEBHOOK_URL!;
const signer = new Webhook(Buffer.from('bare-flow-secret-0123456789abcdef').toString('base64'));
const sender = ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual', fetch: dispatcherFetch(new Agent({ connections: 64 })) });
const emitter = new EventEmitter();
emitter.setMaxListeners(0);
let subscribers = 0;

async function* events(): AsyncGenerator<{ id: string }> {
  subscribers++;
  try {
    for await (const [event] of on(emitter, 'event') as AsyncIterableIterator<[{ id: string }]>) yield event;
  } finally {
    subscribers--;
  }
}

function deliver(id: string, body: string): void {
  const at = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signer.sign(id, at, body),
  };
  const limit = timeLimit(15_000);
  void sender
    .post(webhookUrl, { body, headers, signal: limit.signal })
    .then((answer) => answer.text())
    .catch(() => undefined)
    .finally(() => limit.clear());
}

const schema = makeExecutableSchema({
  typeDefs,
  resolvers: {
    Query: { ok: () => true },
    Mutation: {
      touch: async (_: unknown, args: { id: string; input: { aiSummary?: string | null } }) => {
        const eventId = `msg_${randomUUID()}`;
        const payload = JSON.stringify({ id: Number(args.id), ai_summary: args.input.aiSummary ?? null, updated_at: new Date().toISOString() });
        await pool.query({ name: 'append', text: 'insert into bare_flow_events (id, entity_id, payload) values ($1, $2, $3::jsonb) returning seq', values: [eventId, Number(args.id), payload] });
        deliver(eventId, payload);
        emitter.emit('event', { id: eventId });
        return { id: args.id, aiSummary: args.input.aiSummary ?? null, eventId };
      },
    },
    Subscription: { events: { subscribe: () => events(), resolve: (event: { id: string }) => event } },
  },
});

const apollo = new ApolloServer({ schema, csrfPrevention: false });
await apollo.start();
const app = express();
app.disable('x-powered-by');
app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
app.get('/metrics', (_req, res) => void res.type('text/plain').send(`graphql_ws_live_subscribers ${subscribers}\n`));
app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: async () => ({}) }));
const server = createServer(app);
useServer({ schema }, new WebSocketServer({ server, path: '/graphql' }));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.end().then(() => process.exit(0)));
});
