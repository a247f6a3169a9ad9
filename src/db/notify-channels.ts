/**
 * Every NOTIFY channel of the service, in one place: a hint that something changed, never
 * the thing itself (the tables are the truth; a lost notification only delays).
 */
export const NOTIFY = {
  /** An event was appended (its seq), or deliveries may have become due ('online', 'redeliver', 'replay'). */
  events: 'recordengine_events',
  /** A delivery's record changed (its id): the delivery log's live views. */
  deliveries: 'recordengine_deliveries',
  /** The API tokens changed: every instance drops its verified-token cache. */
  tokens: 'recordengine_tokens',
  /** An inspector received a request (the inspector's id): its live views. */
  inspector: 'recordengine_inspector',
  /** A webhook endpoint was created or changed (its id): the materialisers look at it now. */
  endpoints: 'recordengine_endpoints',
} as const;
