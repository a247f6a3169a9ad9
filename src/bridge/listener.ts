import pg from 'pg';
import type { Logger } from 'pino';
import { answerWithin, boundRoundTrips } from '../db/bounded-wait.js';
import { connectionOptions } from '../db/connection-options.js';
import { OutageLog } from '../db/outage-log.js';

export type ListenerHandlers = {
  onNotification(channel: string, payload: string): void;
  /** After a (re)connection: notifications sent while we were away are lost, so readers catch up from the log. */
  onConnected(): void;
  /** The connection is gone: until onConnected, notifications may be missed. */
  onDisconnected(): void;
  /** At each check: how many other connections listen under this listener's name on this database (other instances). */
  onPeers?(count: number): void;
};

const MAX_BACKOFF_MS = 5_000;

/** The listener's application_name: how instances count each other (pg_stat_activity). */
const LISTENER_NAME = 'recordengine-listener';

/**
 * How the connection is checked. A connection dropped without a word (a NAT or firewall
 * forgetting it, a server host gone) shows nothing to a client that only waits for
 * notifications until TCP keepalive gives up, hours later; meanwhile tokens revoked on
 * other instances would still be remembered. A query that gets no answer in time says so.
 * The query counts the other instances' listeners on the way (onPeers). `timeoutMs` also
 * bounds the connect and the LISTEN statements (DATABASE_TIMEOUT).
 */
export type ListenerCheck = { intervalMs: number; timeoutMs: number };

const DEFAULT_CHECK: ListenerCheck = { intervalMs: 5_000, timeoutMs: 5_000 };

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to others). NOTIFY is only
 * a hint: when the connection drops or stops answering its check, this reconnects with
 * backoff and says so, and the readers catch up from the log.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private stopped = true;
  private backoffMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly outage: OutageLog;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly handlers: ListenerHandlers,
    private readonly log: Logger,
    private readonly checks: ListenerCheck = DEFAULT_CHECK,
  ) {
    this.outage = new OutageLog(log, 'listening for notifications (the readers poll the log meanwhile)');
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.checkTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    // A goodbye the server cannot hear (a partition) is not waited for past the bound.
    if (client) await answerWithin(client.end(), this.checks.timeoutMs, 'closing the listener').catch(() => client.connection.stream.destroy());
  }

  private connect(): Promise<void> {
    this.connecting = this.tryConnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, ...connectionOptions(this.checks.timeoutMs, LISTENER_NAME) });
    boundRoundTrips(client, this.checks.timeoutMs);
    client.on('notification', (msg) => this.handlers.onNotification(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      if (this.client === client) this.outage.failed(err);
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.outage.failed(err);
      client.connection.stream.destroy();
      this.reconnectLater(client, true);
      return;
    }
    this.outage.recovered();
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 100;
    clearInterval(this.checkTimer);
    this.checkTimer = setInterval(() => void this.check(client), this.checks.intervalMs);
    this.handlers.onConnected();
    void this.check(client);
  }

  private async check(client: pg.Client): Promise<void> {
    if (this.checking || this.client !== client) return;
    this.checking = true;
    try {
      // Bounded by checks.timeoutMs (boundRoundTrips): a silent connection fails here and is ended.
      const { rows } = await client.query<{ n: number }>({
        text: `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
        values: [LISTENER_NAME],
      });
      this.handlers.onPeers?.(rows[0]?.n ?? 0);
    } catch (err) {
      if (this.client !== client) return;
      this.outage.failed(err);
      this.reconnectLater(client);
      // The socket may never close by itself: end it here, or it lingers until TCP gives up.
      client.connection.stream.destroy();
    } finally {
      this.checking = false;
    }
  }

  /**
   * A connection that failed schedules the next attempt, once: a late 'end' of a connection
   * given up earlier, arriving while a new attempt is under way, must not start a second one
   * (two attempts would each start a check timer). Only the attempt itself may reschedule then.
   */
  private reconnectLater(failed: pg.Client, fromAttempt = false): void {
    if (this.stopped || (this.client && this.client !== failed) || this.retryTimer) return;
    if (this.connecting && !fromAttempt) return;
    if (this.client === failed) {
      this.client = undefined;
      clearInterval(this.checkTimer);
      this.handlers.onDisconnected();
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
  }
}
