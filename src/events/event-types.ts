export const EVENT_TYPES = {
  DOCUMENT_EXPORTED: 'document.exported',
  CONTACT_CREATED: 'contact.created',
  CONTACT_UPDATED: 'contact.updated',
  FOLDER_CREATED: 'folder.created',
  FOLDER_UPDATED: 'folder.updated',
} as const;
export type EventTypeName = keyof typeof EVENT_TYPES;
export type EventTypeString = (typeof EVENT_TYPES)[EventTypeName];

export const CHANNELS = ['DOCUMENT', 'CONTACT', 'FOLDER'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Each event type goes out on exactly one of the three webhook channels of the reference. */
export const CHANNEL_OF: Record<EventTypeString, Channel> = {
  'document.exported': 'DOCUMENT',
  'contact.created': 'CONTACT',
  'contact.updated': 'CONTACT',
  'folder.created': 'FOLDER',
  'folder.updated': 'FOLDER',
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
