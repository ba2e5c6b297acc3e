export interface Page<T> {
  items: T[];
  hasMore: boolean;
  page: number;
  perPage: number;
}

/** LIMIT/OFFSET for a 1-based page; fetch one row more than the page holds to learn hasMore. */
export function pageWindow(page: number, perPage: number): { limit: number; offset: number } {
  return { limit: perPage + 1, offset: (page - 1) * perPage };
}

export function toPage<T>(rows: T[], page: number, perPage: number): Page<T> {
  return { items: rows.slice(0, perPage), hasMore: rows.length > perPage, page, perPage };
}

/** A page from rows fetched one beyond `limit`, and where the next page starts when there is one. */
export function cursorPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items.at(-1)!) : null };
}
