import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PublishedEvent } from './published.js';

/** The WebSocket side's metrics, in the app's registry. */
export function subscriptionMetrics(registry: Registry, read: { connections(): number; subscribers(): number }) {
  new Gauge({
    name: 'graphql_ws_connections',
    help: 'Open GraphQL WebSocket connections on this instance',
    registers: [registry],
    collect() {
      this.set(read.connections());
    },
  });
  new Gauge({
    name: 'graphql_ws_live_subscribers',
    help: 'Subscriptions attached to the live stream on this instance (not those still catching up)',
    registers: [registry],
    collect() {
      this.set(read.subscribers());
    },
  });
  const slowClosed = new Counter({
    name: 'graphql_ws_slow_subscriber_closes_total',
    help: 'Sockets closed with 1013 because a subscriber fell WS_SUBSCRIBER_BUFFER events behind',
    registers: [registry],
  });
  const publishDelay = new Histogram({
    name: 'graphql_ws_event_publish_delay_seconds',
    help: 'From an event being written to its publication by this instance’s broadcaster',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    slowSubscriberClosed: () => slowClosed.inc(),
    // occurredAt comes from a raw query: a Date or the text of a timestamptz, depending on the driver's parsers.
    published: (event: PublishedEvent) => publishDelay.observe(Math.max(0, Date.now() - new Date(event.value.occurredAt).getTime()) / 1000),
  };
}
