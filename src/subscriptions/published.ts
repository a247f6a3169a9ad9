import { Contact, type IContact } from '../domain/contacts/contact.entity.js';
import { Document, type IDocument } from '../domain/documents/document.entity.js';
import { Folder, type IFolder } from '../domain/folders/folder.entity.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { EventRow } from '../outbox/event-log.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { toPos, type Pos } from '../outbox/position.js';
import type { SharedResult } from './shared-frame.js';

/**
 * Past this many distinct operation shapes, an item renders for each further shape without
 * keeping the result: clients choose their queries, and the cache must stay small.
 */
const MAX_SHAPES = 16;

/**
 * One thing to publish to many subscribers. Its GraphQL result is computed and serialised
 * once per distinct operation shape (the same selection and variables), and shared by every
 * subscriber that asks for that shape.
 */
export class Published<T> {
  private readonly renders = new Map<string, Promise<SharedResult>>();
  private context: GraphQLContext | undefined;

  constructor(
    readonly value: T,
    private readonly makeContext: ContextFactory,
  ) {}

  /** The context its fields resolve in: a fresh EntityManager fork and loaders of its own. */
  contextValue(): GraphQLContext {
    return (this.context ??= this.makeContext());
  }

  rendered(shape: string, render: () => Promise<SharedResult>): Promise<SharedResult> {
    const known = this.renders.get(shape);
    if (known) return known;
    const result = render();
    if (this.renders.size < MAX_SHAPES) this.renders.set(shape, result);
    return result;
  }
}

export type ChangedEntity = IDocument | IContact | IFolder;

/** An event of the log, as the broadcaster publishes it: its position parsed, its payload parsed once. */
export class PublishedEvent extends Published<EventRow> {
  readonly position: Pos;
  private parsedPayload: unknown;
  private loaded: Promise<ChangedEntity | null> | undefined;

  constructor(row: EventRow, makeContext: ContextFactory) {
    super(row, makeContext);
    this.position = toPos(row);
  }

  get type(): string {
    return this.value.type;
  }

  /** Parsed when first read: a selection by type alone never parses it. */
  get payload(): unknown {
    return (this.parsedPayload ??= this.value.payload);
  }

  /** The document, contact or folder the event is about, as it is now (null once deleted). */
  entity(): Promise<ChangedEntity | null> {
    return (this.loaded ??= this.loadEntity());
  }

  private loadEntity(): Promise<ChangedEntity | null> {
    const { em } = this.contextValue();
    const id = Number(this.value.entityId);
    switch (this.value.channel) {
      case 'DOCUMENT':
        return em.findOne(Document, id);
      case 'CONTACT':
        return em.findOne(Contact, id);
      case 'FOLDER':
        return em.findOne(Folder, id);
      case 'OPERATIONS':
        // An operational event is about a channel or a delivery, not a record of the product.
        return Promise.resolve(null);
    }
  }
}
