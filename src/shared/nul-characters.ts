/** PostgreSQL text cannot hold U+0000: a value carrying one would fail the statement that stores it. */

/** Whether a request's parsed input (strings, arrays, objects, their keys) holds a NUL anywhere. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  }
  return false;
}

/** The text without its NULs, for input that is taken as it comes rather than refused. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
