import { NOTIFY } from '../db/notify-channels.js';
import { isoSql } from '../events/payload-sql.js';
import { channelIsOn } from './sql-conditions.js';

/**
 * Operational events tell what happens to the webhooks themselves: a channel or an endpoint
 * failing (its circuit breaker opened), recovered, or switched off, and a delivery whose retry
 * schedule is spent. They are events of the log on the OPERATIONS channel, written by the statement of the
 * state change that causes them, so they are as durable and as ordered as any other event.
 * Nothing that happens to the OPERATIONS channel itself makes one: no loop.
 */

/**
 * The entity a target's operational events are ordered under, a number as every entity id is:
 * a channel's place among the channels, or an endpoint's id negated (apart from the channels').
 */
export const channelEntitySql = (channel: string) =>
  `coalesce(array_position(array['DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'], ${channel}), -(substring(${channel} from '^endpoint:(\\d+)$')::bigint))`;

/**
 * CTEs to follow a CTE `ops (type, entity_id, payload)` in one statement: they append its rows
 * to the log, queue their deliveries when the operations URL is set and on, and make
 * `ops_notified`, which the statement's final select must read for the NOTIFY to run.
 */
export const APPEND_OPERATIONAL_EVENTS = `
ops_events as (
  insert into events (type, channel, entity_id, payload)
  select type, 'OPERATIONS', entity_id, payload from ops
  returning seq, entity_id
), ops_deliveries as (
  insert into webhook_deliveries (event_seq, channel, entity_id)
  select e.seq, 'OPERATIONS', e.entity_id from ops_events e join webhook_channels c on c.channel = 'OPERATIONS'
  where ${channelIsOn('c')}
), ops_notified as (
  select count(pg_notify('${NOTIFY.events}', seq::text)) as n from ops_events
)`;

/** channel.disabled's payload, from a row of webhook_channels (aliased), why, and the deliveries that failed with it. */
export const channelDisabledPayloadSql = (c: string, reason: string, failedDeliveries: string) => `json_build_object(
  'channel', lower(${c}.channel), 'url', ${c}.url, 'reason', ${reason},
  'disabled_at', ${isoSql(`coalesce(${c}.disabled_at, now())`)}, 'failed_deliveries', ${failedDeliveries})`;

/** The statement that tells channel.disabled for a channel or an endpoint switched off by hand; parameters: why, failed deliveries, target. */
export const CHANNEL_SWITCHED_OFF_SQL = `
with ops (type, entity_id, payload) as (
  select 'channel.disabled', ${channelEntitySql('c.channel')}, ${channelDisabledPayloadSql('c', '?::text', '?::int')}
  from webhook_channels c where c.channel = ?
), ${APPEND_OPERATIONAL_EVENTS}
select (select n from ops_notified) as operational_events`;
