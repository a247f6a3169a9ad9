import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { NOTIFY } from '../db/notify-channels.js';
import type { SqlPool } from '../db/sql-pool.js';
import { statement, transactionSql, type Sql, type Statement } from '../db/sql.js';

/** The columns a change's statement returns: the seq of the last event it appended (or null), and how many deliveries it queued that a claim may have to take. */
export const LAST_EVENT_SEQ = 'last_event_seq';
export const DELIVERIES_TO_CLAIM = 'deliveries_to_claim';

const NOTIFY_EVENTS = statement('notify-events', `select pg_notify('${NOTIFY.events}', $1::text)`);

/**
 * The NOTIFY payload: the last seq when a delivery may be there to claim (as every other
 * sender of this channel says it), `stream:<seq>` when the events only need streaming, and
 * `@<instance>` when an instance sends it after telling its own readers, so that it can
 * ignore its own.
 */
export function hintPayload(lastSeq: string, toClaim: boolean, from?: string): string {
  return `${toClaim ? '' : STREAM_ONLY}${lastSeq}${from ? `@${from}` : ''}`;
}

const STREAM_ONLY = 'stream:';
/** The payload of an instance that has just started listening (it names no seq: readers read from their cursor). */
const HELLO = 'listening';

/** What a NOTIFY on the events channel says: the seq it names (if any), whether a claim may find work, and the instance that sent it (if it said). */
export function readHint(payload: string): { seq: string; toClaim: boolean; from: string | undefined } {
  const at = payload.indexOf('@');
  const body = at === -1 ? payload : payload.slice(0, at);
  const from = at === -1 ? undefined : payload.slice(at + 1);
  return body.startsWith(STREAM_ONLY) ? { seq: body.slice(STREAM_ONLY.length), toClaim: false, from } : { seq: body, toClaim: true, from };
}

type Listener = (lastSeq: string, toClaim: boolean) => void;

/**
 * Tells that events were appended, once their transaction has committed: at once to this
 * instance's readers (the delivery worker, the broadcaster), and to the other instances by a
 * NOTIFY on a connection of its own, outside the change's transaction, so that commits never
 * wait for each other's notifications. NOTIFYs are coalesced: while one is under way, the
 * next one carries the last seq of everything appended meanwhile. A crash between a commit
 * and its NOTIFY delays the other instances' readers by their poll, never more: the log is the
 * truth and NOTIFY a hint. The NOTIFY waits for the end of the event loop's turn, so that the
 * commits answered in one turn share it, and names this instance, whose listener ignores it.
 */
export class EventHints {
  readonly instance = randomUUID().slice(0, 8);
  private readonly listeners: Listener[] = [];
  private sending: Promise<void> | undefined;
  private pending: string | undefined;
  private pendingToClaim = false;
  /** Whether another instance listens: until a check says none does, assume one may. */
  private peers = true;

  constructor(
    private readonly pool: SqlPool,
    private readonly log: Logger,
  ) {}

  onAppended(listener: Listener): void {
    this.listeners.push(listener);
  }

  /**
   * Whether other instances listen (the listener counts them every few seconds; a hint from
   * one, or its hello when it connects, says so at once). With none, no NOTIFY is sent: the
   * round trip and PostgreSQL's notification queue would serve nobody.
   */
  setPeers(listening: boolean): void {
    this.peers = listening;
  }

  /** Tells the other instances that this one listens now, so that they send it their hints. */
  announce(): void {
    void this.pool.query({ ...NOTIFY_EVENTS, values: [`${HELLO}@${this.instance}`] }).catch((err: unknown) => {
      this.log.warn({ err }, 'telling other instances that this one listens failed; they learn it at their next check');
    });
  }

  appended(lastSeq: string, toClaim: boolean): void {
    for (const listener of this.listeners) listener(lastSeq, toClaim);
    if (!this.peers) return;
    if (this.pending === undefined || BigInt(lastSeq) > BigInt(this.pending)) this.pending = lastSeq;
    this.pendingToClaim ||= toClaim;
    this.sending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.notifyOthers());
  }

  /** Sends what is left, then closes its connection. */
  async close(): Promise<void> {
    await this.sending;
    await this.pool.end();
  }

  private async notifyOthers(): Promise<void> {
    for (let seq = this.pending; seq !== undefined; seq = this.pending) {
      const toClaim = this.pendingToClaim;
      this.pending = undefined;
      this.pendingToClaim = false;
      try {
        await this.pool.query({ ...NOTIFY_EVENTS, values: [hintPayload(seq, toClaim, this.instance)] });
      } catch (err) {
        this.log.warn({ err }, "telling other instances about new events failed; their poll finds them");
      }
    }
    this.sending = undefined;
  }
}

function appendedOf(rows: readonly unknown[]): { lastSeq: string; toClaim: boolean } | null {
  const row = rows[0] as Record<string, unknown> | undefined;
  const last = row?.[LAST_EVENT_SEQ];
  return typeof last === 'string' ? { lastSeq: last, toClaim: Number(row?.[DELIVERIES_TO_CLAIM] ?? 1) > 0 } : null;
}

/** Where statements that are their own transaction run: after one that appended events, the hint. */
export function hintingSql(sql: Sql, hints: EventHints): Sql {
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const rows = await sql.rows<R>(s, values);
      const appended = appendedOf(rows);
      if (appended) hints.appended(appended.lastSeq, appended.toClaim);
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
      const appended = appendedOf(rows);
      if (appended) await sql.rows(NOTIFY_EVENTS, [hintPayload(appended.lastSeq, appended.toClaim)]);
      return rows;
    },
  };
}
