import type { EntityManager } from '@mikro-orm/postgresql';
import type { Sql } from '../db/sql.js';
import { NOTIFY } from '../db/notify-channels.js';
import { NotFoundError, ValidationError, describeValue } from '../errors.js';
import { checkedCursor, headPosition, type Position } from '../outbox/event-log.js';
import { failWaitingDeliveries } from '../webhooks/channel-state.js';
import { CHANNEL_SWITCHED_OFF_SQL } from '../webhooks/operational-events.js';
import { newSigningSecret } from '../webhooks/settings.js';
import { endpointTarget, parseEndpointId } from '../webhooks/target.js';
import { validateWebhookUrl } from '../webhooks/url-guard.js';
import type { SubscriptionDocument } from './subscription-document.js';

/** A webhook endpoint as the API shows it: its definition, and its target's URL and health. */
export type EndpointRow = {
  id: string;
  url: string;
  subscription: string;
  variables: Record<string, unknown> | null;
  description: string | null;
  enabled: boolean;
  createdAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  consecutiveFailures: number;
};

export type EndpointInput = {
  url?: string | null;
  subscription?: string | null;
  variables?: Record<string, unknown> | null;
  description?: string | null;
  enabled?: boolean | null;
  after?: string | null;
};

/** What writing an endpoint needs besides its EntityManager: the checks of URL and document, and the log. */
export type EndpointDeps = {
  allowPrivate: boolean;
  ownBaseUrl: string;
  /** WEBHOOK_SECRET_OVERLAP */
  secretOverlapMs: number;
  /** Where the log's head and cursors are read. */
  reads: Sql;
  checkDocument(text: string, variables: Record<string, unknown> | null | undefined): SubscriptionDocument;
  /** An endpoint was created, changed or deleted: this instance's materialiser looks again at once (the others hear the NOTIFY). */
  changed(): void;
};

const MAX_DESCRIPTION_LENGTH = 1_000;

/** The advisory lock space of an endpoint's materialisation (entity-lock.ts uses 0x7265_0001–0x7265_0003). */
export const MATERIALISING_LOCK_SPACE = 0x7265_0010;

/** The call of an advisory lock function on an endpoint's materialisation lock: the materialiser tries it, a deletion waits for it. */
export const materialisingLock = (fn: 'pg_try_advisory_xact_lock' | 'pg_advisory_xact_lock', idSql: string): string =>
  `${fn}(${MATERIALISING_LOCK_SPACE}, (${idSql} % 2147483647)::int)`;

/** Columns named as EndpointRow's fields. */
const ENDPOINT_SELECT = `select en.id::text as id, c.url, en.subscription, en.variables, en.description, c.enabled, en.created_at as "createdAt",
    c.disabled_at as "disabledAt", c.disabled_reason as "disabledReason", c.failing_since as "failingSince", c.consecutive_failures as "consecutiveFailures"
  from webhook_endpoints en join webhook_channels c on c.endpoint_id = en.id`;

function description(value: string | null | undefined): string | null {
  if (value == null || value.trim() === '') return null;
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    throw new ValidationError(`description is ${value.length} characters long; the limit is ${MAX_DESCRIPTION_LENGTH}`, { field: 'description', length: value.length });
  }
  return value;
}

async function startPosition(deps: EndpointDeps, after: string | null | undefined): Promise<Position> {
  return after ? checkedCursor(deps.reads, after, 'after') : headPosition(deps.reads);
}

export async function findEndpoint(em: EntityManager, id: string): Promise<EndpointRow | null> {
  const [row] = await em.execute<EndpointRow[]>(`${ENDPOINT_SELECT} where en.id = ?`, [parseEndpointId(id)]);
  return row ?? null;
}

export async function getEndpoint(em: EntityManager, id: string): Promise<EndpointRow> {
  const endpoint = await findEndpoint(em, id);
  if (!endpoint) throw new NotFoundError('WebhookEndpoint', id);
  return endpoint;
}

/** Oldest first, `first + 1` rows (for the connection's hasNextPage), after the endpoint id `after`. */
export async function listEndpoints(em: EntityManager, first: number, after: number | undefined): Promise<EndpointRow[]> {
  return em.execute<EndpointRow[]>(`${ENDPOINT_SELECT} where en.id > ? order by en.id limit ?`, [after ?? 0, first + 1]);
}

/**
 * Saves an endpoint, all or nothing: the URL and the document are checked before anything is
 * written. It materialises from `after` (a cursor of the log: backfill) or from the log's head.
 * Its signing secret is returned here and at rotation only.
 */
export async function createEndpoint(em: EntityManager, input: EndpointInput, deps: EndpointDeps): Promise<{ endpoint: EndpointRow; signingSecret: string }> {
  if (!input.url) throw new ValidationError('url is required', { field: 'url', value: input.url ?? null });
  if (!input.subscription) throw new ValidationError('subscription is required', { field: 'subscription', value: input.subscription ?? null });
  const url = await validateWebhookUrl('url', input.url, deps.allowPrivate, deps.ownBaseUrl);
  const document = deps.checkDocument(input.subscription, input.variables);
  const text = description(input.description);
  const position = await startPosition(deps, input.after);
  const secret = newSigningSecret();
  const [row] = await em.execute<{ id: string }[]>(
    `with endpoint as (
       insert into webhook_endpoints (subscription, variables, description, position_txid, position_seq)
       values (?, ?::jsonb, ?, ?::xid8, ?) returning id
     ), target as (
       insert into webhook_channels (channel, url, enabled, endpoint_id, signing_secret)
       select 'endpoint:' || id, ?, ?, id, ? from endpoint returning channel
     )
     select id::text as id, pg_notify('${NOTIFY.endpoints}', id::text) from endpoint, target`,
    [document.text, JSON.stringify(document.variables), text, position.txid, position.seq, url, input.enabled ?? true, secret],
  );
  deps.changed();
  return { endpoint: await getEndpoint(em, row!.id), signingSecret: secret };
}

/**
 * Changes the fields that are present; the others stay. A new document or new variables are
 * checked together with what stays. A new URL, or switching it back on, starts the endpoint
 * with a closed circuit; switching it off fails what waits for it, as for a channel. `after`
 * moves its cursor (deliveries already queued stay).
 */
export async function updateEndpoint(em: EntityManager, id: string, input: EndpointInput, deps: EndpointDeps): Promise<EndpointRow> {
  const current = await getEndpoint(em, id);
  const url = input.url == null ? undefined : await validateWebhookUrl('url', input.url, deps.allowPrivate, deps.ownBaseUrl);
  const changesDocument = input.subscription != null || input.variables !== undefined;
  const document = changesDocument
    ? deps.checkDocument(input.subscription ?? current.subscription, input.variables === undefined ? current.variables : input.variables)
    : undefined;
  const text = input.description === undefined ? undefined : description(input.description);
  const position = input.after ? await startPosition(deps, input.after) : undefined;
  const target = endpointTarget(current.id);
  await em.transactional(async (tx) => {
    const [before] = await tx.execute<{ url: string; enabled: boolean }[]>('select url, enabled from webhook_channels where channel = ? for update', [target]);
    if (!before) throw new NotFoundError('WebhookEndpoint', id);
    const fresh = (url !== undefined && url !== before.url) || (input.enabled === true && !before.enabled);
    const enabled = input.enabled ?? before.enabled;
    await tx.execute(
      `update webhook_channels set url = ?, enabled = ?,
         disabled_at = case when ? then null else disabled_at end,
         disabled_reason = case when ? then null else disabled_reason end,
         failing_since = case when ? then null else failing_since end,
         consecutive_failures = case when ? then 0 else consecutive_failures end,
         updated_at = now()
       where channel = ?`,
      [url ?? before.url, enabled, fresh, fresh, fresh, fresh, target],
    );
    if (!enabled && before.enabled) {
      const failed = await failWaitingDeliveries(tx, target);
      await tx.execute(CHANNEL_SWITCHED_OFF_SQL, ['switched off by hand (updateWebhookEndpoint)', failed, target]);
    }
    await tx.execute(
      `update webhook_endpoints set
         subscription = coalesce(?, subscription),
         variables = case when ? then ?::jsonb else variables end,
         description = case when ? then ? else description end,
         position_txid = coalesce(?::xid8, position_txid), position_seq = coalesce(?::bigint, position_seq),
         -- A cursor set by hand (a backfill): materialisers drop where they had got to for this endpoint.
         position_generation = position_generation + case when ?::xid8 is null then 0 else 1 end,
         updated_at = now()
       where id = ?`,
      [
        document?.text ?? null,
        document !== undefined,
        JSON.stringify(document?.variables ?? null),
        text !== undefined,
        text ?? null,
        position?.txid ?? null,
        position?.seq ?? null,
        position?.txid ?? null,
        current.id,
      ],
    );
    await tx.execute(`select pg_notify('${NOTIFY.endpoints}', ?)`, [current.id]);
  });
  deps.changed();
  return getEndpoint(em, current.id);
}

/**
 * Deletes an endpoint; what waits for it is dropped with its delivery log (no other target would
 * send it). A materialisation of it under way is waited for first (its lock), and the deletion's
 * statement starts after it committed, so it sees, and drops, what that queued: nothing is left
 * pending for a target that is gone.
 */
export async function deleteEndpoint(em: EntityManager, id: string, deps: Pick<EndpointDeps, 'changed'>): Promise<boolean> {
  const endpointId = parseEndpointId(id);
  const [row] = await em.transactional(async (tx) => {
    await tx.execute(`select ${materialisingLock('pg_advisory_xact_lock', '?::bigint')}`, [endpointId]);
    return tx.execute<{ id: string | null }[]>(
      `with gone_deliveries as (
         delete from webhook_deliveries where channel = 'endpoint:' || ?::bigint
       ), gone as (
         delete from webhook_endpoints where id = ? returning id
       )
       select (select id::text from gone) as id, pg_notify('${NOTIFY.endpoints}', ?::text)`,
      [endpointId, endpointId, endpointId],
    );
  });
  if (!row?.id) throw new NotFoundError('WebhookEndpoint', id);
  deps.changed();
  return true;
}

/** A new secret for one endpoint; for WEBHOOK_SECRET_OVERLAP its webhooks also carry a signature with the old one. */
export async function rotateEndpointSecret(em: EntityManager, id: string, deps: Pick<EndpointDeps, 'secretOverlapMs'>): Promise<{ endpoint: EndpointRow; signingSecret: string }> {
  const endpointId = parseEndpointId(id);
  const secret = newSigningSecret();
  const overlap = deps.secretOverlapMs;
  const rows = await em.execute<{ channel: string }[]>(
    `update webhook_channels
     set previous_signing_secret = case when ? > 0 then signing_secret end,
         previous_secret_expires_at = case when ? > 0 then now() + make_interval(secs => ?) end,
         signing_secret = ?, updated_at = now()
     where endpoint_id = ? returning channel`,
    [overlap, overlap, overlap / 1000, secret, endpointId],
  );
  if (!rows.length) throw new NotFoundError('WebhookEndpoint', id);
  return { endpoint: await getEndpoint(em, endpointId), signingSecret: secret };
}
