import type { WebhookSettingsInput } from '../webhooks/settings.js';

/**
 * What an audit entry says of a secret: that it was set or cleared, never its value. The
 * webhook bearer token is the only secret an input carries; signing secrets and API tokens
 * are made by the service and recorded as rotated or created.
 */
function secretChange(value: string | null | undefined): 'set' | 'cleared' | undefined {
  if (value === undefined) return undefined;
  return value ? 'set' : 'cleared';
}

/** The fields of a configureWebhooks input that are present, with the bearer token as set or cleared. */
export function webhookSettingsChanges(input: WebhookSettingsInput): Record<string, unknown> {
  const { bearerToken, ...rest } = input;
  const changes: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const bearer = secretChange(bearerToken);
  if (bearer) changes.bearerToken = bearer;
  return changes;
}

/** The fields of an input that are present (undefined ones are left as they are by the change). */
export function presentFields(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
