import { parseId } from '../domain/validate.js';
import { ValidationError, describeValue } from '../errors.js';
import { STATUS_DISPLAY } from '../events/display.js';
import { EVENT_TYPES, type EventTypeName, type EventTypeString } from '../events/event-types.js';
import type { DocumentStatus } from '../domain/documents/lifecycle.js';

/** What a subscription's root field needs of an event to choose it: its type and its payload as written. */
export type SelectableEvent = { type: string; payload: unknown };

/**
 * Which events a root field of Subscription streams, from its arguments: the event types it
 * reads, and a test of each event's payload (the record as it was when the event was
 * written). The WebSocket resolvers and the endpoints' materialiser choose events with the
 * same selection, so that an endpoint gets what a subscriber with its document gets.
 */
export type EventSelection = {
  /** The types the field streams; undefined: every type. */
  types: readonly EventTypeString[] | undefined;
  accepts(event: SelectableEvent): boolean;
};

/** The root fields whose items are events of the log: the ones a webhook endpoint may subscribe to. */
export const EVENT_FIELDS = ['events', 'documentExported', 'contactChanged', 'folderChanged'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

type Args = Record<string, unknown>;
type Payload = Record<string, unknown>;

function optionalId(field: string, value: unknown): number | undefined {
  return value == null ? undefined : parseId(field, value as string);
}

function minConfidence(value: unknown): number | undefined {
  if (value == null) return undefined;
  const n = value as number;
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new ValidationError(`minConfidence ${describeValue(n)} is not a confidence score (an integer from 0 to 100)`, { field: 'minConfidence', value: n });
  }
  return n;
}

const byPayload = (types: EventTypeString[], test: (p: Payload) => boolean): EventSelection => ({
  types,
  accepts: (e) => types.includes(e.type as EventTypeString) && test(e.payload as Payload),
});

/** Raises ValidationError (BAD_USER_INPUT) for an argument out of its range, as the WebSocket resolvers did. */
export const EVENT_SELECTIONS: Record<EventField, (args: Args) => EventSelection> = {
  events: (args) => {
    const names = args['types'] as EventTypeName[] | null | undefined;
    if (!names?.length) return { types: undefined, accepts: () => true };
    const types = names.map((name) => EVENT_TYPES[name]);
    return { types, accepts: (e) => types.includes(e.type as EventTypeString) };
  },
  documentExported: (args) => {
    const folder = optionalId('folderId', args['folderId']);
    const contact = optionalId('contactId', args['contactId']);
    const docType = args['docType'] as string | null | undefined;
    const status = args['status'] == null ? undefined : STATUS_DISPLAY[args['status'] as DocumentStatus];
    const floor = minConfidence(args['minConfidence']);
    return byPayload(
      [EVENT_TYPES.DOCUMENT_EXPORTED],
      (p) =>
        (folder === undefined || p['folder_id'] === folder) &&
        (contact === undefined || p['contact_id'] === contact) &&
        (docType == null || p['doc_type'] === docType) &&
        (status === undefined || p['status'] === status) &&
        (floor === undefined || (typeof p['confidence_score'] === 'number' && p['confidence_score'] >= floor)),
    );
  },
  contactChanged: (args) => {
    const contact = optionalId('contactId', args['contactId']);
    return byPayload([EVENT_TYPES.CONTACT_CREATED, EVENT_TYPES.CONTACT_UPDATED], (p) => contact === undefined || p['id'] === contact);
  },
  folderChanged: (args) => {
    const folder = optionalId('folderId', args['folderId']);
    return byPayload([EVENT_TYPES.FOLDER_CREATED, EVENT_TYPES.FOLDER_UPDATED], (p) => folder === undefined || p['id'] === folder);
  },
};
