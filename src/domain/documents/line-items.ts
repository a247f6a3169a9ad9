import { ValidationError, describeValue } from '../../errors.js';
import { LIMITS, requiredText } from '../validate.js';
import type { LineItem } from './document.entity.js';

export type LineItemInput = { description: string; quantity: number; unitPrice: number; amount: number };

export function parseLineItems(items: LineItemInput[]): LineItem[] {
  if (items.length > LIMITS.lineItems) {
    throw new ValidationError(`lineItems has ${items.length} rows; the limit is ${LIMITS.lineItems}`, { field: 'lineItems', count: items.length });
  }
  return items.map((item, i) => {
    for (const key of ['quantity', 'unitPrice', 'amount'] as const) {
      if (!Number.isFinite(item[key])) {
        throw new ValidationError(`lineItems[${i}].${key} ${describeValue(item[key])} is not a number`, { field: `lineItems[${i}].${key}`, value: item[key] });
      }
    }
    return {
      description: requiredText(`lineItems[${i}].description`, item.description, LIMITS.lineItemDescription),
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      amount: item.amount,
    };
  });
}
