import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { NOTIFY } from '../db/notify-channels.js';
import type { SqlPool } from '../db/sql-pool.js';
import { statement, transactionSql, type Sql, type Statement } from '../db/sql.js';

/** The column a change's statement returns: the seq of the last event it appended, or null. */
export const LAST_EVENT_SEQ = 'last_event_seq';

const NOTIFY_EVENTS = statement('notify-events', `select pg_notify('${NOTIFY.events}', $1::text)`);

type Listener = (lastSeq: string) => void;

/**
 * Tells that events were appended, once their transaction has committed: at once to this
 * instance's readers (the delivery worker, the broadcaster), and to the other instances by a
 * NOTIFY on a connection of its own, outside the change's transaction, so that commits never
 * wait for each other's notifications. NOTIFYs are coalesced: while one is under way, the
 * next one carries the last seq of everything appended meanwhile. A crash between a commit
 * and its NOTIFY delays the other instances' readers by their poll, never more: the log is the
 * truth and NOTIFY a hint.
 */
export class EventHints {
  private readonly listeners: Listener[] = [];
  private sending: Promise<void> | undefined;
  private pending: string | undefined;

  constructor(
    private readonly pool: SqlPool,
    private readonly log: Logger,
  ) {}

  onAppended(listener: Listener): void {
    this.listeners.push(listener);
  }

  appended(lastSeq: string): void {
    for (const listener of this.listeners) listener(lastSeq);
    if (this.pending === undefined || BigInt(lastSeq) > BigInt(this.pending)) this.pending = lastSeq;
    this.sending ??= this.notifyOthers();
  }

  /** Resolves once every hint given so far has been sent. */
  async flushed(): Promise<void> {
    await this.sending;
  }

  private async notifyOthers(): Promise<void> {
    for (let seq = this.pending; seq !== undefined; seq = this.pending) {
      this.pending = undefined;
      try {
        await this.pool.query({ ...NOTIFY_EVENTS, values: [seq] });
      } catch (err) {
        this.log.warn({ err }, "telling other instances about new events failed; their poll finds them");
      }
    }
    this.sending = undefined;
  }
}

function lastSeqOf(rows: readonly unknown[]): string | null {
  const last = (rows[0] as Record<string, unknown> | undefined)?.[LAST_EVENT_SEQ];
  return typeof last === 'string' ? last : null;
}

/** Where statements that are their own transaction run: after one that appended events, the hint. */
export function hintingSql(sql: Sql, hints: EventHints): Sql {
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const rows = await sql.rows<R>(s, values);
      const last = lastSeqOf(rows);
      if (last !== null) hints.appended(last);
      return rows;
    },
  };
}

/**
 * Where statements run inside a transaction of the ORM (a rule that runs with the change that
 * triggered it): the NOTIFY goes in the same transaction, which PostgreSQL delivers at its commit.
 */
export function transactionChanges(tx: EntityManager): Sql {
  const sql = transactionSql(tx);
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const rows = await sql.rows<R>(s, values);
      const last = lastSeqOf(rows);
      if (last !== null) await sql.rows(NOTIFY_EVENTS, [last]);
      return rows;
    },
  };
}
