import type { Position } from './event-log.js';

/**
 * A place in the event log as numbers, for comparing without parsing: the broadcaster and
 * every subscriber compare positions on each event.
 */
export type Pos = { readonly txid: bigint; readonly seq: bigint };

export const ORIGIN: Pos = { txid: 0n, seq: 0n };

export function toPos(p: Position): Pos {
  return { txid: BigInt(p.txid), seq: BigInt(p.seq) };
}

export function toPosition(p: Pos): Position {
  return { txid: String(p.txid), seq: String(p.seq) };
}

/** Negative, zero or positive, as the log orders: by transaction id, then by sequence. */
export function compare(a: Pos, b: Pos): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}
