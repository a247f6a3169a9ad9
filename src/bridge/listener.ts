import pg from 'pg';
import type { Logger } from 'pino';

export type ListenerHandlers = {
  onNotification(channel: string, payload: string): void;
  /** After a (re)connection: notifications sent while we were away are lost, so readers catch up from the log. */
  onConnected(): void;
  /** The connection is gone: until onConnected, notifications may be missed. */
  onDisconnected(): void;
};

const MAX_BACKOFF_MS = 5_000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to others). NOTIFY is only
 * a hint: when the connection drops, this reconnects with backoff and says so, and the
 * readers catch up from the log.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private stopped = true;
  private backoffMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly handlers: ListenerHandlers,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting = this.tryConnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'recordengine-listener', keepAlive: true });
    client.on('notification', (msg) => this.handlers.onNotification(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.log.warn({ err }, 'notification listener lost its connection; reconnecting');
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.log.warn({ err }, 'notification listener could not connect; retrying');
      await client.end().catch(() => undefined);
      this.reconnectLater(client);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 100;
    this.handlers.onConnected();
  }

  private reconnectLater(failed: pg.Client): void {
    if (this.stopped || (this.client && this.client !== failed) || this.retryTimer) return;
    if (this.client === failed) {
      this.client = undefined;
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
