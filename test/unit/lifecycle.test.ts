import { describe, expect, it } from 'vitest';
import { DOCUMENT_STATUSES, assertTransition } from '../../src/domain/documents/lifecycle.js';
import { README_LIFECYCLE, README_STATUSES } from '../helpers/lifecycle-table.js';

describe('document lifecycle', () => {
  it('knows exactly the statuses of the table', () => {
    expect([...DOCUMENT_STATUSES]).toEqual(README_STATUSES);
  });

  it.each(README_STATUSES)('allows from %s exactly the moves of the table and names both statuses otherwise', (from) => {
    for (const to of README_STATUSES) {
      if (README_LIFECYCLE[from].includes(to)) expect(() => assertTransition(from, to)).not.toThrow();
      else expect(() => assertTransition(from, to)).toThrow(new RegExp(`from ${from} to ${to}`));
    }
  });
});
