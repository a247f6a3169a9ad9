import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Fanout } from '../subscriptions/fanout.js';
import { Published } from '../subscriptions/published.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { attemptsOf, getDelivery, type AttemptRow, type DeliveryRow } from '../webhooks/delivery-log.js';

export type DeliveryUpdate = { delivery: DeliveryRow; attempt: AttemptRow };

/**
 * Webhook attempts as they happen, for `webhookDeliveryUpdated`. Each attempt is followed by
 * a NOTIFY carrying its delivery id (record-failure.ts) on every instance; this reads the
 * delivery and its latest attempt once and publishes them to this instance's subscribers.
 * A live view: an attempt whose notification is lost is not replayed (the delivery log has it).
 */
export class DeliveryFeed {
  readonly fanout = new Fanout<Published<DeliveryUpdate>>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly makeContext: ContextFactory,
    private readonly log: Logger,
  ) {}

  notify(deliveryId: string): void {
    if (this.stopped || this.fanout.size === 0 || !/^[1-9]\d{0,18}$/.test(deliveryId)) return;
    // One at a time, so that a delivery's attempts are published in the order they were made.
    this.queue = this.queue
      .then(() => this.publish(deliveryId))
      .catch((err: unknown) => this.log.warn({ err, deliveryId }, 'could not read a delivery attempt to publish'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    this.fanout.closeAll();
  }

  private async publish(deliveryId: string): Promise<void> {
    if (this.stopped || this.fanout.size === 0) return;
    const em = this.orm.em.fork();
    const delivery = await getDelivery(em, deliveryId);
    const [attempts] = delivery ? await attemptsOf(em, [deliveryId]) : [];
    const attempt = attempts?.at(-1);
    if (!delivery || !attempt || this.stopped) return;
    this.fanout.publish([new Published({ delivery, attempt }, this.makeContext)]);
  }
}
