import { z } from 'zod';
import { TOKEN_PATTERN } from './auth/tokens.js';
import { parseByteSize } from './byte-size.js';
import { parseDuration, parseDurationList } from './duration.js';

/**
 * The only reader of process.env. Every setting, its default and its unit live here,
 * so that a bad value stops the process at start with one line per variable.
 */
const boolean = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1');

/** Decimal digits only: z.coerce would read " " as 0 and "0x10" or "1e3" as numbers. */
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A size such as 1mb or 512kb, in bytes. */
const byteSize = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return parseByteSize(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .pipe(z.number().min(min, `must be at least ${min} bytes`).max(max, `must be at most ${max} bytes`));

const durationText = z.string().transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/**
 * How long the database keeps what it ages (retentions, the disable window): beyond it,
 * `now() - interval` leaves the range of a timestamp and the statements that use it fail.
 */
const MAX_AGE = '3650d';

/** A duration with bounds, such as a timer delay that 0 would turn into a busy loop. */
const duration = (fallback: string, min = '0ms', max?: string) =>
  z
    .string()
    .default(fallback)
    .pipe(durationText)
    .refine((ms) => ms >= parseDuration(min) && (max === undefined || ms <= parseDuration(max)), {
      message: max === undefined ? `must be at least ${min}` : `must be between ${min} and ${max}`,
    });

const schema = z.object({
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  MIGRATE_ON_START: boolean.default(true),
  API_TOKEN: z
    .string()
    .regex(TOKEN_PATTERN, 'must be re_ followed by 40 lowercase hex characters')
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** auto: readable lines when stdout is a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DB_POOL_SIZE: integer(2, 200).default(20),
  /**
   * How long anything waits for the database: a pooled connection, a connect, each round trip.
   * A request that cannot be served within it answers 503; a stop waits at most this long per pool.
   */
  DATABASE_TIMEOUT: duration('5s', '100ms', '10m'),
  /** The longest a graceful stop may take (requests in flight, attempts being recorded, pools closing); past it the process exits with 1. */
  SHUTDOWN_TIMEOUT: duration('30s', '1s', '1h'),
  GRAPHQL_MAX_DEPTH: integer(2, 50).default(10),
  GRAPHQL_MAX_BODY: byteSize('1mb', 1024, 100 * 1024 * 1024),
  /** The most an operation may cost: fields, multiplied by the page sizes of the lists they are in. */
  GRAPHQL_MAX_COST: integer(100, 1_000_000_000).default(1_000_000),
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
    })
    .refine((delays) => delays.length <= 100, { message: 'must list at most 100 delays' })
    .refine((delays) => delays.every((ms) => ms <= parseDuration('30d')), { message: 'each delay must be at most 30d' }),
  WEBHOOK_TIMEOUT: duration('15s', '1ms', '1h'),
  /**
   * How long a claimed delivery stays with the instance that claimed it; unset: WEBHOOK_TIMEOUT + 30s.
   * Renewed every third of it by a timer, which holds at most 2^31-1 ms (a longer one fires at once).
   */
  WEBHOOK_LEASE: durationText.pipe(z.number().min(1_000, 'must be between 1s and 1d').max(86_400_000, 'must be between 1s and 1d')).optional(),
  WEBHOOK_CONCURRENCY: integer(1, 1000).default(64),
  /** Failed attempts in a row after which a channel gets one attempt at a time until one succeeds. */
  WEBHOOK_CIRCUIT_FAILURES: integer(1, 1_000_000).default(5),
  WEBHOOK_POLL_INTERVAL: duration('1s', '10ms', '1h'),
  WEBHOOK_DISABLE_AFTER: duration('5d', '0ms', MAX_AGE),
  WEBHOOK_SECRET_OVERLAP: duration('24h', '0ms', '30d'),
  /** Also how far back a subscription can resume: 0 would purge what a client is about to read. */
  WEBHOOK_RETENTION: duration('30d', '1h', MAX_AGE),
  RULE_EXECUTIONS_RETENTION: duration('90d', '1h', MAX_AGE),
  /** How long the audit log keeps an entry. */
  AUDIT_RETENTION: duration('365d', '1d', MAX_AGE),
  WEBHOOK_MAX_PAYLOAD_BYTES: integer(1024, 64 * 1024 * 1024).default(256 * 1024),
  WEBHOOK_WORKER: boolean.default(true),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: integer(1, 10_000).default(100),
  WS_SUBSCRIBER_BUFFER: integer(1, 1_000_000).default(1000),
  /** How long a new WebSocket may take to send connection_init before it is closed with 4401. */
  WS_CONNECTION_INIT_TIMEOUT: duration('3s', '10ms', '1m'),
  /** Ping interval; a peer that has not answered a ping by the next one is dropped. */
  WS_KEEP_ALIVE: duration('12s', '100ms', '10m'),
  /** The broadcaster's backstop poll of the event log, for notifications that were lost. */
  WS_POLL_INTERVAL: duration('1s', '10ms', '1h'),
  /**
   * Where a router may have subscription events posted (the HTTP callback protocol): URL prefixes,
   * comma-separated. Unset: callback subscriptions are refused, since the URL comes in a request.
   */
  SUBSCRIPTION_CALLBACK_URLS: z
    .string()
    .transform((v, ctx) => {
      const prefixes = v.split(',').map((part) => part.trim()).filter(Boolean);
      const problems = prefixes.flatMap((prefix) => {
        const problem = callbackPrefixProblem(prefix);
        return problem ? [`${JSON.stringify(prefix)} ${problem}`] : [];
      });
      if (problems.length) {
        ctx.addIssue({ code: 'custom', message: problems.join('; ') });
        return z.NEVER;
      }
      return prefixes.map((prefix) => new URL(prefix).href);
    })
    .optional(),
});

/** Why a callback URL prefix cannot be used, or undefined: an http(s) URL with no credentials, query or fragment. */
function callbackPrefixProblem(prefix: string): string | undefined {
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password || url.search || url.hash) return 'must have no credentials, query or fragment';
  return undefined;
}

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
  logFormat: z.infer<typeof schema>['LOG_FORMAT'];
  dbPoolSize: number;
  /** DATABASE_TIMEOUT, in ms. */
  databaseTimeoutMs: number;
  /** SHUTDOWN_TIMEOUT, in ms. */
  shutdownTimeoutMs: number;
  /** maxBody: the largest request body, in bytes. */
  graphql: { maxDepth: number; maxBody: number; maxCost: number };
  webhooks: {
    allowPrivateNetworks: boolean;
    retrySchedule: number[];
    timeoutMs: number;
    leaseMs: number;
    concurrency: number;
    circuitFailures: number;
    secretOverlapMs: number;
    pollIntervalMs: number;
    disableAfterMs: number;
    retentionMs: number;
    maxPayloadBytes: number;
    worker: boolean;
  };
  rules: { executionsRetentionMs: number };
  /** AUDIT_RETENTION: audit entries older than this are purged. */
  auditRetentionMs: number;
  ws: { maxSubscriptionsPerSocket: number; subscriberBuffer: number; connectionInitTimeoutMs: number; keepAliveMs: number; pollIntervalMs: number };
  /** The URL prefixes a subscription's callback URL must start with; empty: callback subscriptions are refused. */
  subscriptionCallbackUrls: string[];
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A value as an error line may show it: never a token, nor the password of a connection string. */
function shown(key: string, value: string | undefined): string {
  if (value === undefined) return 'undefined';
  if (key === 'API_TOKEN') return `(hidden, ${value.length} characters)`;
  if (key === 'DATABASE_URL') return JSON.stringify(value.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@'));
  return JSON.stringify(value);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) => (env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]])),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // One line per variable, however many of its rules it breaks.
    const byKey = new Map<string, string[]>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      byKey.set(key, [...(byKey.get(key) ?? []), issue.message]);
    }
    throw new ConfigError([...byKey].map(([key, messages]) => `${key}=${shown(key, env[key])}: ${messages.join('; ')}`));
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
    logFormat: e.LOG_FORMAT,
    dbPoolSize: e.DB_POOL_SIZE,
    databaseTimeoutMs: e.DATABASE_TIMEOUT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    graphql: { maxDepth: e.GRAPHQL_MAX_DEPTH, maxBody: e.GRAPHQL_MAX_BODY, maxCost: e.GRAPHQL_MAX_COST },
    webhooks: {
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      retrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      leaseMs,
      concurrency: e.WEBHOOK_CONCURRENCY,
      circuitFailures: e.WEBHOOK_CIRCUIT_FAILURES,
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL,
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER,
      secretOverlapMs: e.WEBHOOK_SECRET_OVERLAP,
      retentionMs: e.WEBHOOK_RETENTION,
      maxPayloadBytes: e.WEBHOOK_MAX_PAYLOAD_BYTES,
      worker: e.WEBHOOK_WORKER,
    },
    rules: { executionsRetentionMs: e.RULE_EXECUTIONS_RETENTION },
    auditRetentionMs: e.AUDIT_RETENTION,
    ws: {
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      subscriberBuffer: e.WS_SUBSCRIBER_BUFFER,
      connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT,
      keepAliveMs: e.WS_KEEP_ALIVE,
      pollIntervalMs: e.WS_POLL_INTERVAL,
    },
    subscriptionCallbackUrls: e.SUBSCRIPTION_CALLBACK_URLS ?? [],
  };
}
