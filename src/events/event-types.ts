export const EVENT_TYPES = {
  DOCUMENT_EXPORTED: 'document.exported',
  CONTACT_CREATED: 'contact.created',
  CONTACT_UPDATED: 'contact.updated',
  FOLDER_CREATED: 'folder.created',
  FOLDER_UPDATED: 'folder.updated',
  CHANNEL_FAILING: 'channel.failing',
  CHANNEL_RECOVERED: 'channel.recovered',
  CHANNEL_DISABLED: 'channel.disabled',
  DELIVERY_FAILED: 'delivery.failed',
} as const;
export type EventTypeName = keyof typeof EVENT_TYPES;
export type EventTypeString = (typeof EVENT_TYPES)[EventTypeName];

/** The three channels of the reference, and OPERATIONS: events about the webhooks themselves. */
export const CHANNELS = ['DOCUMENT', 'CONTACT', 'FOLDER', 'OPERATIONS'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Each event type goes out on exactly one channel. */
export const CHANNEL_OF: Record<EventTypeString, Channel> = {
  'document.exported': 'DOCUMENT',
  'contact.created': 'CONTACT',
  'contact.updated': 'CONTACT',
  'folder.created': 'FOLDER',
  'folder.updated': 'FOLDER',
  'channel.failing': 'OPERATIONS',
  'channel.recovered': 'OPERATIONS',
  'channel.disabled': 'OPERATIONS',
  'delivery.failed': 'OPERATIONS',
};

const NAME_OF = Object.fromEntries(Object.entries(EVENT_TYPES).map(([name, type]) => [type, name])) as Record<
  EventTypeString,
  EventTypeName
>;

export function eventTypeName(type: string): EventTypeName {
  const name = NAME_OF[type as EventTypeString];
  if (!name) throw new Error(`unknown event type ${type}`);
  return name;
}
