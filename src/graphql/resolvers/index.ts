import { DateScalar, DateTime, JSONScalar } from '../scalars.js';
import type { Resolvers } from '../generated.js';
import { contactResolvers } from './contacts.js';
import { documentResolvers } from './documents.js';
import { eventResolvers } from './events.js';
import { folderResolvers } from './folders.js';
import { inspectorResolvers } from './inspectors.js';
import { profileResolvers } from './profiles.js';
import { ruleResolvers } from './rules.js';
import { subscriptionResolvers } from './subscriptions.js';
import { tokenResolvers } from './tokens.js';
import { webhookResolvers } from './webhooks.js';

const parts: Resolvers[] = [contactResolvers, folderResolvers, profileResolvers, documentResolvers, eventResolvers, webhookResolvers, tokenResolvers, ruleResolvers, subscriptionResolvers, inspectorResolvers];

/** Merges the per-concern resolver maps into one, type by type. */
export function resolvers(extra: Resolvers[] = []): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const part of [...parts, ...extra]) {
    for (const [type, fields] of Object.entries(part)) merged[type] = { ...merged[type], ...(fields as Record<string, unknown>) };
  }
  return { ...(merged as Resolvers), DateTime, Date: DateScalar, JSON: JSONScalar };
}
