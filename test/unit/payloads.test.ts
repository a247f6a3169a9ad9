import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contactPayload, documentPayload, folderPayload, isoSeconds } from '../../src/events/payloads.js';
import { SAMPLE_CONTACT, SAMPLE_DOCUMENT, SAMPLE_FOLDER } from '../../src/events/samples.js';

/** The three example bodies of the webhooks reference, copied as they are written there. */
const reference = JSON.parse(readFileSync(new URL('../fixtures/reference-payloads.json', import.meta.url), 'utf8')) as Record<
  'document' | 'contact' | 'folder',
  Record<string, unknown>
>;

/** Every key path with the JSON type of its value, in document order: equal shapes give equal lists. */
function shape(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return [`${path}: array`, ...value.flatMap((v, i) => shape(v, `${path}[${i}]`))];
  if (value !== null && typeof value === 'object') {
    return [`${path}: object`, ...Object.entries(value).flatMap(([k, v]) => shape(v, `${path}.${k}`))];
  }
  const type = value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  return [`${path}: ${type}`];
}

describe('webhook payloads', () => {
  const cases = [
    ['document', () => documentPayload(SAMPLE_DOCUMENT, 'https://a9f3d7e2.recordengine.ai')],
    ['contact', () => contactPayload(SAMPLE_CONTACT)],
    ['folder', () => folderPayload(SAMPLE_FOLDER)],
  ] as const;

  for (const [channel, build] of cases) {
    it(`builds the ${channel} example of the reference field for field and type for type`, () => {
      const payload = build();
      expect(shape(payload)).toEqual(shape(reference[channel]));
      expect(payload).toStrictEqual(reference[channel]);
      // What goes on the wire: the same keys in the same order with the same values.
      expect(JSON.stringify(payload)).toBe(JSON.stringify(reference[channel]));
    });
  }

  it('writes unit_price 1500.00 as the JSON number 1500', () => {
    const items = (reference.document.line_items as { unit_price: unknown }[]).map((i) => i.unit_price);
    expect(items).toEqual([1500, 1500]);
    expect(documentPayload(SAMPLE_DOCUMENT, 'https://x.example').line_items.map((i) => typeof i.unit_price)).toEqual(['number', 'number']);
  });

  it('gives null, never a missing key, for what a document does not have yet', () => {
    const payload = documentPayload(
      {
        ...SAMPLE_DOCUMENT,
        status: 'NEEDS_REVIEW',
        source: 'HOT_FOLDER',
        docType: null,
        docDate: null,
        aiSummary: undefined,
        confidenceScore: null,
        confidenceReasoning: null,
        extractedFields: {},
        lineItems: [],
        externalRefs: {},
      },
      'https://x.example',
    );
    expect(Object.keys(payload)).toEqual(Object.keys(reference.document));
    expect(payload).toMatchObject({
      status: 'Needs Review',
      source: 'Hot Folder',
      doc_type: null,
      doc_date: null,
      ai_summary: null,
      confidence_score: null,
      confidence_label: null,
      confidence_reasoning: null,
      extracted_fields: {},
      line_items: [],
      external_refs: {},
      doc_url: 'https://x.example/api/document/847/view',
    });
    const contact = contactPayload({ ...SAMPLE_CONTACT, type: 'VENDOR', email: null, phone: undefined, notes: null });
    expect(contact).toMatchObject({ type: 'Vendor', email: null, phone: null, notes: null });
  });

  it('labels confidence at the documented bounds', () => {
    const label = (score: number) => documentPayload({ ...SAMPLE_DOCUMENT, confidenceScore: score }, '').confidence_label;
    expect([100, 90, 89, 75, 74, 50, 49, 0].map(label)).toEqual(['High', 'High', 'Good', 'Good', 'Low', 'Low', 'Poor', 'Poor']);
  });

  it('writes instants in UTC to the second, as the reference does', () => {
    expect(isoSeconds(new Date('2025-11-15T08:23:41.987Z'))).toBe('2025-11-15T08:23:41Z');
  });
});
