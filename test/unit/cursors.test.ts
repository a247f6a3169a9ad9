import { describe, expect, it } from 'vitest';
import { connection, decodeIdCursor, encodeIdCursor, pageSize } from '../../src/graphql/relay.js';
import { decodeCursor, encodeCursor } from '../../src/outbox/event-log.js';

describe('page sizes and cursors', () => {
  it('takes first between 1 and 500, 50 when absent', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize(null)).toBe(50);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(500)).toBe(500);
    for (const bad of [0, -1, 501, 10_000]) expect(() => pageSize(bad)).toThrow(`first ${bad} must be between 1 and 500`);
  });

  it('round-trips id cursors and refuses anything else', () => {
    expect(decodeIdCursor(encodeIdCursor(42))).toBe(42);
    expect(decodeIdCursor(null)).toBeUndefined();
    for (const bad of ['', 'zzz', encodeCursor({ txid: '1', seq: '2' }), Buffer.from('id:-1').toString('base64url'), `${encodeIdCursor(42)}=`]) {
      expect(() => decodeIdCursor(bad)).toThrow(/is not a cursor of this list/);
    }
  });

  it('round-trips event cursors and refuses positions PostgreSQL could not hold', () => {
    expect(decodeCursor(encodeCursor({ txid: '18446744073709551615', seq: '9223372036854775807' }))).toEqual({
      txid: '18446744073709551615',
      seq: '9223372036854775807',
    });
    for (const [txid, seq] of [
      ['18446744073709551616', '1'],
      ['1', '9223372036854775808'],
      ['99999999999999999999', '1'],
    ]) {
      expect(() => decodeCursor(encodeCursor({ txid: txid!, seq: seq! }))).toThrow(/is not an event cursor/);
    }
    expect(() => decodeCursor(encodeIdCursor(1))).toThrow(/is not an event cursor/);
  });

  it('builds a connection from limit + 1 rows', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    expect(connection(rows, 2, (r) => String(r.id))).toEqual({
      edges: [
        { cursor: '1', node: { id: 1 } },
        { cursor: '2', node: { id: 2 } },
      ],
      pageInfo: { hasNextPage: true, endCursor: '2' },
    });
    expect(connection([], 2, (r: { id: number }) => String(r.id))).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
