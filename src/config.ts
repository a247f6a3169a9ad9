import { z } from 'zod';
import { parseDuration, parseDurationList } from './duration.js';

/**
 * The only reader of process.env. Every setting, its default and its unit live here,
 * so that a bad value stops the process at start with one line per variable.
 */
const boolean = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const durationText = z.string().transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const duration = (fallback: string) => z.string().default(fallback).pipe(durationText);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  MIGRATE_ON_START: boolean.default(true),
  API_TOKEN: z
    .string()
    .regex(/^re_[0-9a-f]{40}$/, 'must be re_ followed by 40 lowercase hex characters')
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GRAPHQL_MAX_BODY: z.string().default('1mb'),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean.default(false),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,10h')
    .transform((v, ctx) => {
      try {
        return parseDurationList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  WEBHOOK_TIMEOUT: duration('15s'),
  /** How long a claimed delivery stays with the instance that claimed it; unset: WEBHOOK_TIMEOUT + 30s. */
  WEBHOOK_LEASE: durationText.optional(),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  WEBHOOK_POLL_INTERVAL: duration('1s'),
  WEBHOOK_DISABLE_AFTER: duration('5d'),
  WEBHOOK_RETENTION: duration('30d'),
  WEBHOOK_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(256 * 1024),
  WEBHOOK_WORKER: boolean.default(true),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(100),
  WS_SUBSCRIBER_BUFFER: z.coerce.number().int().min(1).default(1000),
});

/** What a claim outlives an attempt by, when WEBHOOK_LEASE is unset: time to record the attempt. */
const LEASE_MARGIN_MS = 30_000;

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  migrateOnStart: boolean;
  apiToken: string | undefined;
  publicUrl: string | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  dbPoolSize: number;
  graphql: { maxDepth: number; maxBody: string };
  webhooks: {
    allowPrivateNetworks: boolean;
    retrySchedule: number[];
    timeoutMs: number;
    leaseMs: number;
    concurrency: number;
    pollIntervalMs: number;
    disableAfterMs: number;
    retentionMs: number;
    maxPayloadBytes: number;
    worker: boolean;
  };
  ws: { maxSubscriptionsPerSocket: number; subscriberBuffer: number };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return `${key}=${JSON.stringify(env[key])}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  // A lease shorter than an attempt would let a second instance send a delivery still in flight.
  const leaseMs = e.WEBHOOK_LEASE ?? e.WEBHOOK_TIMEOUT + LEASE_MARGIN_MS;
  if (leaseMs <= e.WEBHOOK_TIMEOUT) {
    throw new ConfigError([`WEBHOOK_LEASE=${JSON.stringify(env.WEBHOOK_LEASE)}: must be longer than WEBHOOK_TIMEOUT (${e.WEBHOOK_TIMEOUT} ms)`]);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    migrateOnStart: e.MIGRATE_ON_START,
    apiToken: e.API_TOKEN,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    dbPoolSize: e.DB_POOL_SIZE,
    graphql: { maxDepth: e.GRAPHQL_MAX_DEPTH, maxBody: e.GRAPHQL_MAX_BODY },
    webhooks: {
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      retrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      leaseMs,
      concurrency: e.WEBHOOK_CONCURRENCY,
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL,
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER,
      retentionMs: e.WEBHOOK_RETENTION,
      maxPayloadBytes: e.WEBHOOK_MAX_PAYLOAD_BYTES,
      worker: e.WEBHOOK_WORKER,
    },
    ws: { maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET, subscriberBuffer: e.WS_SUBSCRIBER_BUFFER },
  };
}
