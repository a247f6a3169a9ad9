import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { SqlPool } from '../db/sql-pool.js';
import type { Metrics } from '../metrics.js';
import { OutageLog } from '../db/outage-log.js';
import { claimDeliveries, renewLeases, type ClaimedDelivery } from './claim.js';
import { recordFailure, type FailedAttempt } from './record-failure.js';
import { SuccessRecorder } from './record-successes.js';
import { decide } from './retry-policy.js';
import type { WebhookSender } from './sender.js';

/**
 * Claims that new work asks for start at most this often. At a few hundred changes a second
 * every change and every delivered webhook asks for one: each would be a round trip and a large
 * statement planned and run for one or two deliveries. Paced, a claim takes what a few
 * milliseconds brought, for at most this much more latency; a quiet worker claims at once.
 */
export const CLAIM_PACE_MS = 5;

export type WorkerOptions = {
  concurrency: number;
  /** WEBHOOK_CIRCUIT_FAILURES: failed attempts in a row after which a channel gets one attempt at a time. */
  circuitFailures: number;
  pollIntervalMs: number;
  /** How long a claim lasts: longer than an attempt, so that only a dead instance's claims run out. */
  leaseMs: number;
  retrySchedule: number[];
  disableAfterMs: number;
};

/**
 * Delivers webhooks: claims due deliveries, POSTs them, records each attempt. Woken by NOTIFY
 * (wake()), with a poll as the backstop. One per instance; instances share the work through
 * the claim.
 *
 * A success's record also claims the next delivery of the same entity (record-successes.ts),
 * which is sent at once: one entity's deliveries follow each other one answer and one write
 * apart, not one write and one claim. Each is held (leased, renewed) like a claimed one; when
 * every slot is taken it waits in `chained` for the first one free, before any new claim.
 *
 * Manual mode (manual()) is for tests: no poll, no wake-up on NOTIFY, no lease renewal timer;
 * the worker moves only when a test calls runOnce(), drain() or renewOnce(), and by the
 * attempts these started (and the deliveries their successes chain).
 */
export class DeliveryWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Every delivery claimed and not yet recorded. */
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Of those, the ones whose request is under way: WEBHOOK_CONCURRENCY bounds these. A slot is
   * free again when the answer is in, while the attempt is still being recorded, so that
   * recording (batched) overlaps with the next requests instead of holding their slots.
   */
  private sending = 0;
  /** The deliveries claimed and not yet recorded, whose leases this instance renews. */
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private running = false;
  private manualMode = false;
  /** Deliveries chained by a success, held, waiting for a free slot. */
  private readonly chained: ClaimedDelivery[] = [];
  private claiming: Promise<number> | undefined;
  private wakeAgain = false;
  /** When the last claim started (performance.now()), and the timer of a claim held back until CLAIM_PACE_MS after it. */
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private paceTimer: NodeJS.Timeout | undefined;
  /**
   * The last claim found less than it had room for: nothing else is due for now until new work
   * is announced (wake()) or the poll comes (a retry due, a lease run out). Finished attempts
   * then claim nothing: with a backlog queued behind the heads in flight, such a claim reads
   * all of it to find nothing, tens of milliseconds of the database's time each, and their
   * successes chain the next deliveries of their entities anyway.
   */
  private exhausted = false;
  private readonly successes: SuccessRecorder;
  private failures: Promise<unknown> = Promise.resolve();
  private readonly claims: OutageLog;
  private readonly renewals: OutageLog;

  constructor(
    private readonly sql: SqlPool,
    private readonly sender: WebhookSender,
    private readonly opts: WorkerOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.successes = new SuccessRecorder(sql, this.id, opts.circuitFailures, opts.leaseMs);
    this.claims = new OutageLog(log, 'claiming webhook deliveries');
    this.renewals = new OutageLog(log, 'renewing the leases of deliveries in flight');
  }

  /**
   * While attempts are under way, a claim waits for a quarter of the slots to be free: one
   * query then claims many deliveries, not one per finished attempt. An idle worker claims at once.
   */
  private get minClaim(): number {
    return Math.max(1, Math.floor(this.opts.concurrency / 4));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedulePoll();
    this.renewTimer = setInterval(() => void this.renewOnce(), this.opts.leaseMs / 3);
    this.renewTimer.unref();
    this.wake();
  }

  /**
   * Manual mode, for tests: from now on nothing moves the worker in the background (no poll,
   * no wake-up, no lease renewal timer), only runOnce(), drain() and renewOnce(). Works on a
   * worker not started yet (instead of start()) and on a running one, such as the one an app
   * started: it then waits for a claim under way, so that a test sees only what it steps.
   */
  async manual(): Promise<void> {
    this.manualMode = true;
    this.running = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.wakeAgain = false;
    await this.claiming;
    this.wakeAgain = false;
  }

  /** Stops claiming and chaining and waits for the attempts under way (and those they chained already) to be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    await this.claiming;
    // A success recorded while stopping may still have chained a delivery, which then starts:
    // wait until none is left.
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    clearInterval(this.renewTimer);
  }

  /** Renews the leases of every delivery this instance holds (the timer's work; tests in manual mode call it themselves). */
  async renewOnce(): Promise<void> {
    try {
      await renewLeases(this.sql, { ids: [...this.held], leaseMs: this.opts.leaseMs, workerId: this.id });
      this.renewals.recovered();
    } catch (err) {
      this.renewals.failed(err);
    }
  }

  /** A hint that new work may be due (a change that queued the head of an entity's queue, NOTIFY, a reconnect, the poll). */
  wake(): void {
    this.exhausted = false;
    this.poke();
  }

  /** A slot came free: claim again, unless the last claim found nothing more to take. */
  private slotFreed(): void {
    if (!this.exhausted) this.poke();
  }

  private poke(): void {
    if (!this.running || this.manualMode || this.paceTimer) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    const wait = this.lastClaimAt + CLAIM_PACE_MS - performance.now();
    if (wait <= 0) {
      void this.runOnce();
      return;
    }
    this.paceTimer = setTimeout(() => {
      this.paceTimer = undefined;
      this.poke();
    }, wait);
  }

  /** Claims as much due work as there is room for and starts it; resolves with how many it claimed. */
  runOnce(): Promise<number> {
    if (this.claiming) return this.claiming;
    this.lastClaimAt = performance.now();
    this.claiming = this.claim().finally(() => {
      this.claiming = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.poke();
      }
    });
    return this.claiming;
  }

  /** Runs until nothing is due and nothing is in flight: for tests and benchmarks. */
  async drain(): Promise<void> {
    for (;;) {
      // A claim under way may have started before the last attempt was recorded, and missed
      // its retry: only one that starts after it can say that nothing is due.
      await this.claiming;
      const claimed = await this.runOnce();
      if (claimed === 0 && this.inFlight.size === 0) return;
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  private async claim(): Promise<number> {
    // Records that fall behind (a slow database) stop new claims at twice the concurrency.
    // Chained deliveries waiting for a slot come first.
    const room = Math.min(this.opts.concurrency - this.sending, 2 * this.opts.concurrency - this.inFlight.size) - this.chained.length;
    if (room <= 0 || (this.sending > 0 && room < this.minClaim)) return 0;
    let claimed: ClaimedDelivery[];
    try {
      claimed = await claimDeliveries(this.sql, { limit: room, leaseMs: this.opts.leaseMs, workerId: this.id, circuitFailures: this.opts.circuitFailures });
      this.claims.recovered();
    } catch (err) {
      this.claims.failed(err);
      return 0;
    }
    for (const delivery of claimed) {
      this.held.add(delivery.id);
      this.begin(delivery);
    }
    if (claimed.length === room) this.wakeAgain = true;
    else this.exhausted = true;
    return claimed.length;
  }

  /** Starts the attempt of a delivery this instance holds (in `held`). */
  private begin(delivery: ClaimedDelivery): void {
    this.sending++;
    const task = this.deliver(delivery).finally(() => {
      this.held.delete(delivery.id);
      // Its slot was freed when the answer came; its record ending frees room for a claim only
      // when records in flight were what held claims back (the bound of twice the concurrency).
      const recordsHeldClaims = this.inFlight.size - this.sending >= this.opts.concurrency;
      this.inFlight.delete(task);
      if (recordsHeldClaims) this.slotFreed();
    });
    this.inFlight.add(task);
  }

  /**
   * Starts the chained deliveries that have a slot. One waits only while every slot is taken,
   * so some attempt is under way and frees a slot later (then calls this again).
   */
  private startChained(): void {
    while (this.chained.length > 0 && this.sending < this.opts.concurrency) this.begin(this.chained.shift()!);
  }

  /** Never rejects: whatever goes wrong, the lease runs out and another attempt follows (at least once, never lost). */
  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    try {
      const result = await this.sender.send(delivery).finally(() => {
        this.sending--;
        this.startChained();
        this.slotFreed();
      });
      const decision = decide(result.outcome, delivery.attempt, this.opts.retrySchedule);
      this.metrics.attemptDuration.observe({ channel: delivery.channel, ok: String(result.ok) }, result.durationMs / 1000);
      this.metrics.deliveryOutcomes.inc({ channel: delivery.channel, outcome: decision.action });
      // Each attempt's log line names its id in the delivery log (DeliveryAttempt.id) and its webhook-id.
      const about = { deliveryId: delivery.id, webhookId: delivery.eventId, channel: delivery.channel, httpStatus: result.httpStatus, durationMs: result.durationMs };
      if (decision.action === 'succeeded') {
        // A stopping worker chains nothing: what it has not claimed is left to the claims.
        const recorded = await this.successes.record({ deliveryId: delivery.id, channel: delivery.channel, result, chainNext: this.running });
        const { attemptId, excerptRefused, next } = recorded;
        if (next) {
          // Held from now on (its lease renewed), before this task ends.
          this.held.add(next.id);
          this.chained.push(next);
          this.startChained();
        } else {
          // A change of this entity may have committed after this record read the queue, and
          // counted on this record to take its delivery: a claim now takes it instead.
          this.wake();
        }
        if (excerptRefused) this.excerptRefused(attemptId, delivery.id, excerptRefused);
        this.log.debug({ attemptId, ...about, ...(next && { next: next.id }) }, 'webhook delivered');
        return;
      }
      const { attemptId, channelDisabled, excerptRefused } = await this.recordFailure({
        deliveryId: delivery.id,
        channel: delivery.channel,
        workerId: this.id,
        result,
        decision,
        disableAfterMs: this.opts.disableAfterMs,
        circuitFailures: this.opts.circuitFailures,
      });
      if (excerptRefused) this.excerptRefused(attemptId, delivery.id, excerptRefused);
      this.log.info({ attemptId, ...about, error: result.error, next: decision.action }, 'webhook attempt failed');
      if (channelDisabled) this.log.warn({ attemptId, channel: delivery.channel, decision }, 'webhook channel disabled');
    } catch (err) {
      this.log.error({ err, deliveryId: delivery.id }, 'a webhook attempt could not be made or recorded; it is retried when its lease runs out');
    }
  }

  private excerptRefused(attemptId: string, deliveryId: string, err: unknown): void {
    this.log.warn({ err, attemptId, deliveryId }, "the database refused a webhook attempt's record; it was recorded without the answer's excerpt");
  }

  /**
   * Failed attempts are written one at a time. Each takes its channel's row lock, so when a
   * receiver hangs and a whole batch times out together, writing them at once would only
   * have them wait for each other while holding pooled connections that mutations need.
   */
  private recordFailure(attempt: FailedAttempt): ReturnType<typeof recordFailure> {
    const recorded = this.failures.then(() => recordFailure(this.sql, attempt));
    this.failures = recorded.catch(() => undefined);
    return recorded;
  }

  private schedulePoll(): void {
    if (!this.running || this.manualMode) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.opts.pollIntervalMs);
    this.timer.unref();
  }
}
