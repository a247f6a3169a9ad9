import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * What the domain tells about documents to whoever listens, without knowing who: the
 * composition root connects the rules here, so that src/domain never imports src/rules.
 */
export type DocumentHooks = {
  /** Inside the transaction of the change, after a document entered READY (its row is locked). */
  enteredReady(tx: EntityManager, documentId: number): Promise<void>;
};
