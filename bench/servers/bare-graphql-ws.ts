import { on, EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { DateTime, JSONScalar } from '../../src/graphql/scalars.js';

/**
 * The baseline of bench/subscriptions.ts: graphql-ws's useServer on ws, with the service's
 * own schema, fed by an in-memory emitter (no database, no authentication): each event is
 * executed and serialised per subscriber, as graphql-ws does by default. What the service
 * costs beyond this is ours.
 *
 *   POST /emit   body: a JSON array of events { id, cursor, type, occurredAt, payload }
 *   GET /subscribers   how many subscriptions are open
 */
type BareEvent = { id: string; cursor: string; type: string; occurredAt: string; payload: unknown };

const emitter = new EventEmitter();
emitter.setMaxListeners(0);
let subscribers = 0;

async function* events(): AsyncGenerator<BareEvent> {
  subscribers++;
  try {
    for await (const [event] of on(emitter, 'event') as AsyncIterableIterator<[BareEvent]>) yield event;
  } finally {
    subscribers--;
  }
}

const schema = makeExecutableSchema({
  typeDefs: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
  resolvers: {
    DateTime,
    JSON: JSONScalar,
    Subscription: { events: { subscribe: () => events(), resolve: (event: BareEvent) => event } },
  } as never,
});

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') return void res.end('ready');
  if (req.method === 'GET' && req.url === '/subscribers') return void res.end(String(subscribers));
  if (req.method === 'POST' && req.url === '/emit') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      for (const event of JSON.parse(Buffer.concat(chunks).toString('utf8')) as BareEvent[]) emitter.emit('event', event);
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404).end();
});
useServer({ schema }, new WebSocketServer({ server, path: '/graphql' }));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
