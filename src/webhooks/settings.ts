import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../errors.js';
import { CHANNELS, type Channel } from '../events/event-types.js';
import { CHANNEL_SWITCHED_OFF_SQL } from './operational-events.js';
import { failWaitingDeliveries } from './channel-state.js';
import { validateWebhookUrl } from './url-guard.js';
import { previousSecretWhileValid } from './sql-conditions.js';
import { NOTIFY } from '../db/notify-channels.js';

export const MAX_BEARER_TOKEN_LENGTH = 1024;

export type ChannelRow = {
  channel: Channel;
  url: string | null;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  consecutiveFailures: number;
};

export type WebhookSettingsRow = {
  document: ChannelRow;
  contact: ChannelRow;
  folder: ChannelRow;
  operations: ChannelRow;
  bearerTokenSet: boolean;
  offlineMode: boolean;
  signingSecret: string;
  /** The secret before the last rotation while webhooks are still signed with it too; null after. */
  previousSigningSecret: string | null;
  previousSecretExpiresAt: Date | null;
};

export type WebhookSettingsInput = {
  document?: { url?: string | null; enabled?: boolean | null } | null;
  contact?: { url?: string | null; enabled?: boolean | null } | null;
  folder?: { url?: string | null; enabled?: boolean | null } | null;
  operations?: { url?: string | null; enabled?: boolean | null } | null;
  bearerToken?: string | null;
  offlineMode?: boolean | null;
};

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export async function readSettings(em: EntityManager): Promise<WebhookSettingsRow> {
  const [settings] = await em.execute<
    {
      bearer_token: string | null;
      offline_mode: boolean;
      signing_secret: string | null;
      previous_signing_secret: string | null;
      previous_secret_expires_at: Date | null;
    }[]
  >(
    `select bearer_token, offline_mode, signing_secret,
       ${previousSecretWhileValid('')} as previous_signing_secret,
       case when previous_secret_expires_at > now() then previous_secret_expires_at end as previous_secret_expires_at
     from webhook_settings where id = 1`,
  );
  let secret = settings!.signing_secret;
  if (!secret) {
    // Made on first read; the where clause keeps the first one when two instances race.
    await em.execute('update webhook_settings set signing_secret = ? where id = 1 and signing_secret is null', [newSigningSecret()]);
    return readSettings(em);
  }
  const channels = await em.execute<
    {
      channel: Channel;
      url: string | null;
      enabled: boolean;
      disabled_at: Date | null;
      disabled_reason: string | null;
      failing_since: Date | null;
      consecutive_failures: number;
    }[]
  >('select channel, url, enabled, disabled_at, disabled_reason, failing_since, consecutive_failures from webhook_channels');
  const row = (c: Channel): ChannelRow => {
    const r = channels.find((x) => x.channel === c)!;
    return {
      channel: c,
      url: r.url,
      enabled: r.enabled,
      disabledAt: r.disabled_at,
      disabledReason: r.disabled_reason,
      failingSince: r.failing_since,
      consecutiveFailures: r.consecutive_failures,
    };
  };
  return {
    document: row('DOCUMENT'),
    contact: row('CONTACT'),
    folder: row('FOLDER'),
    operations: row('OPERATIONS'),
    bearerTokenSet: settings!.bearer_token !== null,
    offlineMode: settings!.offline_mode,
    signingSecret: secret,
    previousSigningSecret: settings!.previous_signing_secret,
    previousSecretExpiresAt: settings!.previous_secret_expires_at,
  };
}

/**
 * Applies the fields that are present, all or nothing: every value is checked before the
 * transaction writes any, so a refused change leaves the settings as they were. A channel
 * switched off or left without a URL keeps nothing waiting (channel-state.ts); offline mode
 * is the way to hold deliveries instead.
 */
export async function configureWebhooks(
  em: EntityManager,
  input: WebhookSettingsInput,
  allowPrivate: boolean,
  /** The service's own base URL, whose inspector URLs are accepted. */
  ownBaseUrl = '',
): Promise<WebhookSettingsRow> {
  const channelUpdates: { channel: Channel; url?: string | null; enabled?: boolean }[] = [];
  for (const channel of CHANNELS) {
    const key = channel.toLowerCase() as Lowercase<Channel>;
    const change = input[key];
    if (!change) continue;
    const update: { channel: Channel; url?: string | null; enabled?: boolean } = { channel };
    if (change.url !== undefined) {
      update.url = change.url === null || change.url.trim() === '' ? null : await validateWebhookUrl(`${key}.url`, change.url, allowPrivate, ownBaseUrl);
    }
    if (change.enabled !== undefined && change.enabled !== null) update.enabled = change.enabled;
    channelUpdates.push(update);
  }
  if (typeof input.bearerToken === 'string' && input.bearerToken !== '') {
    if (input.bearerToken.length > MAX_BEARER_TOKEN_LENGTH) {
      throw new ValidationError(`bearerToken is ${input.bearerToken.length} characters long; the limit is ${MAX_BEARER_TOKEN_LENGTH}`, {
        field: 'bearerToken',
        length: input.bearerToken.length,
      });
    }
    if (!/^[\x21-\x7e]+$/.test(input.bearerToken)) {
      throw new ValidationError('bearerToken must be printable ASCII without spaces, as an HTTP header value requires', { field: 'bearerToken' });
    }
  }
  await em.transactional(async (tx) => {
    for (const u of channelUpdates) {
      const sets: string[] = [];
      const params: unknown[] = [];
      // Another receiver, or a channel switched back on, starts with a closed circuit.
      const fresh: string[] = [];
      if (u.url !== undefined) {
        sets.push('url = ?');
        params.push(u.url);
        fresh.push('url is distinct from ?');
      }
      if (u.enabled !== undefined) {
        // Switching a channel back on clears what the service recorded when it switched it off
        // (the right-hand `enabled` is the value before this update).
        sets.push(
          'enabled = ?',
          'disabled_at = case when ? and not enabled then null else disabled_at end',
          'disabled_reason = case when ? and not enabled then null else disabled_reason end',
          'failing_since = case when ? and not enabled then null else failing_since end',
        );
        params.push(u.enabled, u.enabled, u.enabled, u.enabled);
        fresh.push('(? and not enabled)');
      }
      if (fresh.length) {
        sets.push(`consecutive_failures = case when ${fresh.join(' or ')} then 0 else consecutive_failures end`);
        if (u.url !== undefined) params.push(u.url);
        if (u.enabled !== undefined) params.push(u.enabled);
      }
      if (sets.length === 0) continue;
      const [before] = await tx.execute<{ on: boolean }[]>('select enabled and url is not null as "on" from webhook_channels where channel = ? for update', [u.channel]);
      await tx.execute(`update webhook_channels set ${sets.join(', ')}, updated_at = now() where channel = ?`, [...params, u.channel]);
      const failed = u.enabled === false || u.url === null ? await failWaitingDeliveries(tx, u.channel) : 0;
      // The operations channel tells of the others, never of itself.
      if (u.enabled === false && before!.on && u.channel !== 'OPERATIONS') await tx.execute(CHANNEL_SWITCHED_OFF_SQL, ['switched off by hand (configureWebhooks)', failed, u.channel]);
    }
    if (input.bearerToken !== undefined) {
      await tx.execute('update webhook_settings set bearer_token = ?, updated_at = now() where id = 1', [input.bearerToken || null]);
    }
    if (input.offlineMode !== undefined && input.offlineMode !== null) {
      await tx.execute('update webhook_settings set offline_mode = ?, updated_at = now() where id = 1', [input.offlineMode]);
      if (!input.offlineMode) await tx.execute(`select pg_notify('${NOTIFY.events}', 'online')`);
    }
  });
  return readSettings(em);
}

/**
 * A new secret; for `overlapMs` (WEBHOOK_SECRET_OVERLAP) webhooks also carry a signature with
 * the one it replaces, so that receivers can switch to the new secret at their own pace.
 */
export async function rotateSigningSecret(em: EntityManager, overlapMs: number): Promise<WebhookSettingsRow> {
  await em.execute(
    `update webhook_settings
     set previous_signing_secret = case when ? > 0 then signing_secret end,
         previous_secret_expires_at = case when ? > 0 then now() + make_interval(secs => ?) end,
         signing_secret = ?, updated_at = now()
     where id = 1`,
    [overlapMs, overlapMs, overlapMs / 1000, newSigningSecret()],
  );
  return readSettings(em);
}
