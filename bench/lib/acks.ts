import type { LoggedEvent } from './entities.js';

/**
 * When each mutation of a load was answered, and which answer an event of the log belongs to:
 * by the marker the mutation put at the end of a name (`… m123`; a folder that createContact
 * made carries its contact's name), or, for an export, which carries no marker, by its place
 * among its document's exports. One per service run: markers stay unique across its steps.
 */
export class MutationAcks {
  private readonly byMarker = new Map<string, number>();
  private readonly exports = new Map<string, number[]>();
  private readonly exportsMatched = new Map<string, number>();

  /** The mutation of `request` was answered at `at`. */
  answered(request: { marker?: string; document?: string }, at: number): void {
    if (request.marker) this.byMarker.set(request.marker, at);
    if (request.document) this.exports.set(request.document, [...(this.exports.get(request.document) ?? []), at]);
  }

  /** When the mutation of an event was answered; each export event is matched once, in log order. */
  of(e: LoggedEvent): number | undefined {
    if (e.type === 'DOCUMENT_EXPORTED') {
      const doc = String(e.payload.id);
      const n = this.exportsMatched.get(doc) ?? 0;
      this.exportsMatched.set(doc, n + 1);
      return this.exports.get(doc)?.[n];
    }
    const marker = [e.payload.name, e.payload.contact_name].map((n) => /\b(m\d+)$/.exec(n ?? '')?.[1]).find((x) => x !== undefined);
    return marker ? this.byMarker.get(marker) : undefined;
  }
}
