/** PostgreSQL text cannot hold U+0000: a value carrying one would fail the statement that stores it. */

/** The text without its NULs, for input that is taken as it comes rather than refused. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
