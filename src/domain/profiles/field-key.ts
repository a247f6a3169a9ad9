import { ValidationError, describeValue } from '../../errors.js';

/**
 * The key of an extraction-profile label in the webhook's `extracted_fields`: its snake_case.
 *
 * - accents are dropped ("Référence" → "reference"); letters of other scripts are kept as
 *   they are ("发票号码" stays "发票号码", "Номер" → "номер");
 * - a lower-case letter or digit followed by an upper-case letter starts a new word
 *   ("invoiceNumber" → "invoice_number"); runs of capitals stay one word ("VAT ID" → "vat_id");
 * - every run of other characters (spaces, punctuation, symbols) becomes one "_", and none
 *   is left at either end ("Total (incl. VAT)" → "total_incl_vat").
 */
export function fieldKey(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** The ordered fields of a profile, refusing a label that gives no key and two labels that give one. */
export function profileFields(labels: readonly string[]): { label: string; key: string }[] {
  const byKey = new Map<string, string>();
  return labels.map((raw, index) => {
    const label = raw.trim();
    const key = fieldKey(label);
    if (key === '') {
      throw new ValidationError(`Field label ${describeValue(raw)} has no letters or digits to make a key of`, {
        field: `fieldLabels[${index}]`,
        value: raw,
      });
    }
    const clash = byKey.get(key);
    if (clash !== undefined) {
      throw new ValidationError(`Field labels ${describeValue(clash)} and ${describeValue(label)} both give the key "${key}"`, {
        field: `fieldLabels[${index}]`,
        value: raw,
        key,
      });
    }
    byKey.set(key, label);
    return { label, key };
  });
}
