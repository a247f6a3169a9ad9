import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Fanout } from './fanout.js';
import { attemptsOf, getDelivery, type AttemptRow, type DeliveryRow } from '../webhooks/delivery-log.js';

export type DeliveryUpdate = { delivery: DeliveryRow; attempt: AttemptRow };

/** Deliveries that may wait to be read at once; beyond it notifications are dropped (the log has them). */
const MAX_WAITING = 10_000;

/**
 * Webhook attempts as they happen, for `webhookDeliveryUpdated`. Each attempt is followed by
 * a NOTIFY carrying its delivery id (record-failure.ts) on every instance; this reads the
 * delivery and its latest attempt once and publishes them to this instance's subscribers.
 * A live view: an attempt whose notification is lost is not replayed (the delivery log has it).
 *
 * Attempts can come faster than they are read. A delivery waits at most once: a read
 * publishes its latest attempt, so the attempts in between are skipped rather than queued,
 * and past `maxWaiting` deliveries further notifications are dropped, so that memory stays
 * bounded whatever the delivery rate.
 */
export class DeliveryFeed<T> {
  readonly fanout = new Fanout<T>();
  /** Insertion order: deliveries are read in the order of their first waiting notification. */
  private readonly waiting = new Set<string>();
  private draining: Promise<void> | undefined;
  private dropped = 0;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    /** Makes the item published for an attempt (the subscriptions wrap it to render it once per shape). */
    private readonly toItem: (update: DeliveryUpdate) => T,
    private readonly log: Logger,
    private readonly maxWaiting = MAX_WAITING,
  ) {}

  /** Deliveries waiting to be read. */
  get backlog(): number {
    return this.waiting.size;
  }

  notify(deliveryId: string): void {
    if (this.stopped || this.fanout.size === 0 || !/^[1-9]\d{0,18}$/.test(deliveryId) || this.waiting.has(deliveryId)) return;
    if (this.waiting.size >= this.maxWaiting) {
      this.dropped += 1;
      return;
    }
    this.waiting.add(deliveryId);
    this.draining ??= this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.clear();
    await this.draining;
    this.fanout.closeAll();
  }

  /** One read at a time, so that a delivery's attempts are published in the order they were made. */
  private async drain(): Promise<void> {
    // A Set's iterator also visits what is added while it runs: the loop ends only when nothing waits.
    for (const deliveryId of this.waiting) {
      this.waiting.delete(deliveryId);
      await this.publish(deliveryId).catch((err: unknown) => this.log.warn({ err, deliveryId }, 'could not read a delivery attempt to publish'));
    }
    // Cleared in the same step as the loop's end, so that a notification never finds a drain that will not read it.
    this.draining = undefined;
    if (this.dropped > 0) {
      this.log.warn({ dropped: this.dropped, maxWaiting: this.maxWaiting }, 'attempts came faster than they could be read; some were not published live');
      this.dropped = 0;
    }
  }

  private async publish(deliveryId: string): Promise<void> {
    if (this.stopped || this.fanout.size === 0) return;
    const em = this.orm.em.fork();
    const delivery = await getDelivery(em, deliveryId);
    const [attempts] = delivery ? await attemptsOf(em, [deliveryId]) : [];
    const attempt = attempts?.at(-1);
    if (!delivery || !attempt || this.stopped) return;
    this.fanout.publish([this.toItem({ delivery, attempt })]);
  }
}
