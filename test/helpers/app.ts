import { pino, type Logger } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase } from './db.js';

export const TEST_TOKEN = `re_${'0123456789abcdef'.repeat(3).slice(0, 40)}`;

export type GraphQLResponse<T = Record<string, any>> = {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
};

export type TestApp = {
  app: App;
  url: string;
  databaseUrl: string;
  token: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
};

/**
 * The real service on port 0 against a database of its own. Extra environment variables
 * go through the same config loader as in production; `log` receives its log lines.
 */
export async function startTestApp(env: Record<string, string> = {}, existingDatabaseUrl?: string, log?: Logger): Promise<TestApp> {
  const db = existingDatabaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = existingDatabaseUrl ?? db!.url;
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    API_TOKEN: TEST_TOKEN,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms',
    WEBHOOK_POLL_INTERVAL: '100ms',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await startApp(config, log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const gql = async (query: string, variables?: Record<string, unknown>, token: string | null = TEST_TOKEN) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as GraphQLResponse;
    return { ...body, status: res.status };
  };
  return {
    app,
    url: app.url,
    databaseUrl,
    token: TEST_TOKEN,
    gql: gql as TestApp['gql'],
    async ok(query, variables) {
      const res = await gql(query, variables);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data as never;
    },
    async stop() {
      await app.stop();
      await db?.drop();
    },
  };
}
