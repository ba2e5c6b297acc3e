/** Collects positional parameters while a query is assembled: `params.add(value)` returns `$n`. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function first<T>(rows: T[]): T | undefined {
  return rows[0];
}

/**
 * A caller's LIKE pattern as PostgreSQL will take it. `%`, `_` and `\` escapes mean what they mean
 * in MySQL's LIKE, which HasOffers clients write for; a trailing lone backslash, a literal one
 * there, is an error here, so it is escaped.
 */
export function likePattern(text: string): string {
  const trailingBackslashes = text.length - text.replace(/\\+$/, '').length;
  return trailingBackslashes % 2 === 1 ? `${text}\\` : text;
}
