import { ValidationError, describeValue } from '../errors.js';

export const MAX_PAGE_SIZE = 500;

/** Checks `first` against the page-size limit. */
export function pageSize(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new ValidationError(`first ${describeValue(n)} must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first', value: n });
  }
  return n;
}

/** Opaque cursors of id-ordered lists. */
export function encodeIdCursor(id: number | string): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

export function decodeIdCursor(cursor: string | null | undefined): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const match = /^id:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeIdCursor(match[1]!) !== cursor) {
    throw new ValidationError(`after ${describeValue(cursor)} is not a cursor of this list`, { field: 'after', value: cursor });
  }
  return Number(match[1]);
}

/** A Relay connection from `limit + 1` rows fetched in order. */
export function connection<T>(rows: T[], limit: number, cursorOf: (row: T) => string) {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: cursorOf(node), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? cursorOf(page[page.length - 1]!) : null },
  };
}
