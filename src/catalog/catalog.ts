import type { Queryable } from '../store/store.ts';

/** Categories (advertiser verticals) and channels (kinds of partner traffic) are named lists. */
export interface NamedItem {
  id: number;
  name: string;
}

export type CatalogTable = 'categories' | 'channels';

export async function listCatalog(db: Queryable, table: CatalogTable): Promise<NamedItem[]> {
  return db.query<NamedItem>(`SELECT id, name FROM ${table} ORDER BY id`);
}

/** Adds a name if it is new; either way answers its row, so seeding twice changes nothing. */
export async function ensureCatalogItem(db: Queryable, table: CatalogTable, name: string): Promise<NamedItem> {
  const rows = await db.query<NamedItem>(
    `INSERT INTO ${table} (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, name`,
    [name],
  );
  return rows[0]!;
}

/** The ids among `ids` that do not exist. */
export async function missingCatalogIds(db: Queryable, table: CatalogTable, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE id = ANY($1::int[])`, [ids]);
  const present = new Set(found.map((row) => row.id));
  return ids.filter((id) => !present.has(id));
}
