import type { Logger } from 'pino';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * How a part that retries by itself (a poll, a pool, the listener) logs the database's
 * outages: the first failure of an outage is logged, then nothing while it lasts, however
 * often the part tries; when it works again, one line says so and how long it was away. A
 * failure that is not an outage (a fault of a statement) is logged each time, as an error.
 */
export class OutageLog {
  private since: number | undefined;

  constructor(
    private readonly log: Logger,
    /** What the part does, as its lines name it ("claiming webhook deliveries"). */
    private readonly what: string,
  ) {}

  /** Whether an outage is under way: the last attempt failed for want of the database. */
  get down(): boolean {
    return this.since !== undefined;
  }

  failed(err: unknown, about: Record<string, unknown> = {}): void {
    if (!isDatabaseUnavailable(err)) {
      this.log.error({ err, ...about }, `${this.what} failed`);
      return;
    }
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.log.warn({ err, ...about }, `${this.what} failed: the database cannot be used; retrying until it can`);
  }

  /** An attempt worked: ends the outage under way, if one is. */
  recovered(): void {
    if (this.since === undefined) return;
    this.log.info({ outageMs: Date.now() - this.since }, `${this.what}: the database can be used again`);
    this.since = undefined;
  }
}
