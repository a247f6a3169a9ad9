/**
 * The SQL conditions the webhook statements share, each written once. Every function takes
 * the alias of the table it speaks of and returns a boolean SQL expression to put in a
 * `where` (parenthesised, so that it composes with `and`, `or` and `not`).
 */

/** A row of webhook_channels that is on: enabled, with a URL. Deliveries are queued and sent only on a channel that is on. */
export const channelIsOn = (alias: string): string => `(${alias}.enabled and ${alias}.url is not null)`;
