import { describe, expect, it } from 'vitest';
import { hintPayload, readHint } from '../../src/outbox/event-hints.js';

describe('the NOTIFY payload of new events', () => {
  it('says the seq, whether a claim may find work, and who sent it', () => {
    expect(readHint(hintPayload('42', true, 'a1b2c3d4'))).toEqual({ seq: '42', toClaim: true, from: 'a1b2c3d4' });
    expect(readHint(hintPayload('43', false, 'a1b2c3d4'))).toEqual({ seq: '43', toClaim: false, from: 'a1b2c3d4' });
  });

  it('reads what other senders send (a bare seq, a word) as work that may be due, from no instance', () => {
    expect(readHint('44')).toEqual({ seq: '44', toClaim: true, from: undefined });
    expect(readHint('replay')).toEqual({ seq: 'replay', toClaim: true, from: undefined });
  });
});
