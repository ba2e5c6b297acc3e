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
