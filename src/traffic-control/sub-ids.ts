import { ValidationError } from '../shared/errors.ts';

/** A sub-ID names one partner's traffic (or one of its sources) in control lists and bid factors. */
export const MAX_SUB_ID_LENGTH = 255;

export function normalizeSubId(field: string, value: string): string {
  const subId = value.trim();
  if (subId === '' || subId.length > MAX_SUB_ID_LENGTH) {
    throw new ValidationError(field, `a sub-ID must be 1 to ${MAX_SUB_ID_LENGTH} characters`);
  }
  return subId;
}
