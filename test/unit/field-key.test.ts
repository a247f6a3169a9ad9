import { describe, expect, it } from 'vitest';
import { fieldKey, profileFields } from '../../src/domain/profiles/field-key.js';

describe('fieldKey: a label in snake_case', () => {
  it.each([
    ['Invoice Number', 'invoice_number'],
    ['  Total Amount  ', 'total_amount'],
    ['Total (incl. VAT)', 'total_incl_vat'],
    ['VAT ID', 'vat_id'],
    ['invoiceNumber', 'invoice_number'],
    ['Due-Date', 'due_date'],
    ['Référence client', 'reference_client'],
    ['Straße', 'straße'],
    ['发票号码', '发票号码'],
    ['Номер счёта', 'номер_счета'],
    ['2nd Address Line', '2nd_address_line'],
    ['a__b', 'a_b'],
  ])('%s → %s', (label, key) => {
    expect(fieldKey(label)).toBe(key);
  });

  it('refuses two labels that give one key, naming both', () => {
    expect(() => profileFields(['Invoice Number', 'invoice-number'])).toThrow(/"Invoice Number" and "invoice-number" both give the key "invoice_number"/);
  });

  it('refuses a label with no letters or digits', () => {
    expect(() => profileFields(['!!!'])).toThrow(/no letters or digits/);
  });

  it('keeps the order of the labels', () => {
    expect(profileFields(['Vendor', 'Total Amount'])).toEqual([
      { label: 'Vendor', key: 'vendor' },
      { label: 'Total Amount', key: 'total_amount' },
    ]);
  });
});
