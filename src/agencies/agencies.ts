import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/** An agency manages advertisers on their behalf; the network makes agencies. */
export interface Agency {
  id: number;
  name: string;
  advertisers: number;
  createdAt: Date;
}

const SELECT = `SELECT g.id, g.name, (SELECT count(*)::int FROM advertisers a WHERE a.agency_id = g.id AND a.status <> 'deleted') AS advertisers,
  g.created_at AS "createdAt" FROM agencies g`;

export async function listAgencies(db: Queryable): Promise<Agency[]> {
  return db.query<Agency>(`${SELECT} ORDER BY g.id`);
}

export async function getAgency(db: Queryable, id: number): Promise<Agency> {
  const agency = first(await db.query<Agency>(`${SELECT} WHERE g.id = $1`, [id]));
  if (!agency) throw new NotFoundError('agency', id);
  return agency;
}

export async function saveAgency(db: Queryable, id: number | null, name: string): Promise<Agency> {
  if (name.trim() === '') throw new ValidationError('name', 'must not be empty');
  if (id === null) {
    const [row] = await db.query<{ id: number }>('INSERT INTO agencies (name) VALUES ($1) RETURNING id', [name.trim()]);
    return getAgency(db, row!.id);
  }
  await getAgency(db, id);
  await db.query('UPDATE agencies SET name = $2 WHERE id = $1', [id, name.trim()]);
  return getAgency(db, id);
}
