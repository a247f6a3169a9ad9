import { ValidationError, describeValue } from '../errors.js';
import type { Channel } from '../events/event-types.js';

/**
 * Where a delivery goes: a channel (the reference's three, or OPERATIONS) or a webhook
 * endpoint, `endpoint:<id>`. Either way a row of webhook_channels holds its URL and health,
 * and the deliveries' `channel` column names it.
 */
export type DeliveryTarget = Channel | `endpoint:${string}`;

export const endpointTarget = (id: string): DeliveryTarget => `endpoint:${id}`;

const MAX_BIGINT = 2n ** 63n - 1n;

export function parseEndpointId(id: string, field = 'id'): string {
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) {
    throw new ValidationError(`${field} ${describeValue(id)} is not a webhook endpoint id`, { field, value: id });
  }
  return id;
}
