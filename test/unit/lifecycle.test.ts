import { describe, expect, it } from 'vitest';
import { DOCUMENT_STATUSES, TRANSITIONS, assertTransition } from '../../src/domain/documents/lifecycle.js';

describe('document lifecycle', () => {
  it('allows exactly the moves of the table and names both statuses otherwise', () => {
    for (const from of DOCUMENT_STATUSES) {
      for (const to of DOCUMENT_STATUSES) {
        if (TRANSITIONS[from].includes(to)) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(new RegExp(`from ${from} to ${to}`));
      }
    }
  });

  it('reaches EXPORT only from READY or APPROVED', () => {
    const into = DOCUMENT_STATUSES.filter((s) => TRANSITIONS[s].includes('EXPORT'));
    expect(into).toEqual(['READY', 'APPROVED']);
  });
});
