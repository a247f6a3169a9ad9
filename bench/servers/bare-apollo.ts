import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/**
 * The baseline of bench/api.ts and bench/flow.ts: Apollo Server 5 on express 5 as Apollo
 * documents it (express.json, Apollo's own express integration) with a trivial schema whose
 * mutation touches no database. What the service costs beyond this is ours (the service's own
 * route, src/server/apollo-route.ts, spares the integration's URL parsing).
 */
const typeDefs = `#graphql
  type Query { ok: Boolean! }
  input TouchInput { aiSummary: String }
  type Touched { id: ID! aiSummary: String updatedAt: String! }
  type Mutation { touch(id: ID!, input: TouchInput!): Touched! }
`;
const resolvers = {
  Query: { ok: () => true },
  Mutation: {
    touch: (_: unknown, args: { id: string; input: { aiSummary?: string | null } }) => ({
      id: args.id,
      aiSummary: args.input.aiSummary ?? null,
      updatedAt: new Date().toISOString(),
    }),
  },
};

const apollo = new ApolloServer({ typeDefs, resolvers, csrfPrevention: false });
await apollo.start();
const app = express();
app.disable('x-powered-by');
app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: async () => ({}) }));
const server = createServer(app);
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
