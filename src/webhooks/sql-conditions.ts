/**
 * The SQL conditions the webhook statements share, each written once. Every function takes
 * the alias of the table it speaks of and returns a boolean SQL expression to put in a
 * `where` (parenthesised, so that it composes with `and`, `or` and `not`).
 */

/** A row of webhook_channels that is on: enabled, with a URL. Deliveries are queued and sent only on a channel that is on. */
export const channelIsOn = (alias: string): string => `(${alias}.enabled and ${alias}.url is not null)`;

/**
 * A delivery target whose troubles are told as operational events: a channel of the reference
 * or a webhook endpoint, not the operations channel itself (no loop).
 */
export const targetIsTold = (alias: string): string => `(${alias}.channel <> 'OPERATIONS')`;

/**
 * The previous signing secret of a row of webhook_settings or webhook_channels (an endpoint's)
 * while the overlap after its rotation lasts, else null: what a delivery is signed with too.
 * `alias` may be empty for a table named without one.
 */
export const previousSecretWhileValid = (alias: string): string => {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return `(case when ${column('previous_secret_expires_at')} > now() then ${column('previous_signing_secret')} end)`;
};

/** A row of webhook_deliveries still to be delivered: PENDING, whether an attempt is under way or not. */
export const deliveryIsPending = (alias: string): string => `(${alias}.status = 'PENDING')`;

/** A pending delivery no instance holds: no attempt is under way for it (its lease, if any, has run out). */
export const deliveryIsWaiting = (alias: string): string =>
  `(${deliveryIsPending(alias)} and (${alias}.lease_until is null or ${alias}.lease_until < now()))`;

/** A waiting delivery whose attempt is due now: what a claim may take. */
export const deliveryIsDue = (alias: string): string => `(${deliveryIsWaiting(alias)} and ${alias}.next_attempt_at <= now())`;

/** A pending delivery an instance holds: its attempt is under way. */
export const deliveryIsInFlight = (alias: string): string =>
  `(${deliveryIsPending(alias)} and ${alias}.leased_by is not null and ${alias}.lease_until > now())`;

/**
 * The head of its entity's queue: no earlier pending delivery of the same channel and
 * document, contact or folder holds it back. `settled`, when given, is an SQL list of
 * delivery ids to count as no longer pending (those the same statement records as delivered,
 * which its snapshot still sees as PENDING).
 */
export const deliveryIsEntityHead = (alias: string, settled?: string): string => `not exists (
      select 1 from webhook_deliveries p
      where ${deliveryIsPending('p')} and p.channel = ${alias}.channel and p.entity_id = ${alias}.entity_id and p.id < ${alias}.id${
        settled ? ` and p.id not in (${settled})` : ''
      })`;
