import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import { sqlState, SQLSTATE, type Queryable } from '../store/store.ts';
import { ROLES, type Role } from './principal.ts';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  advertiserId: number | null;
  partnerId: number | null;
  agencyId: number | null;
  status: 'active' | 'disabled';
  createdAt: Date;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  advertiserId?: number | null;
  partnerId?: number | null;
  agencyId?: number | null;
}

const USER_COLUMNS = `id, email, name, role, advertiser_id AS "advertiserId", partner_id AS "partnerId",
  agency_id AS "agencyId", status, created_at AS "createdAt"`;

const SCOPE_FIELD: Record<Role, keyof NewUser | null> = {
  network_admin: null,
  advertiser: 'advertiserId',
  partner: 'partnerId',
  agency: 'agencyId',
};

export async function createUser(db: Queryable, input: NewUser): Promise<User> {
  if (!ROLES.includes(input.role)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')}`);
  if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) throw new ValidationError('email', 'is not an email address');
  const scopeField = SCOPE_FIELD[input.role];
  for (const field of ['advertiserId', 'partnerId', 'agencyId'] as const) {
    const given = input[field] != null;
    if (field === scopeField && !given) throw new ValidationError(field, `is required for the ${input.role} role`);
    if (field !== scopeField && given) throw new ValidationError(field, `does not apply to the ${input.role} role`);
  }
  try {
    const rows = await db.query<User>(
      `INSERT INTO users (email, name, role, advertiser_id, partner_id, agency_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
      [input.email, input.name, input.role, input.advertiserId ?? null, input.partnerId ?? null, input.agencyId ?? null],
    );
    return rows[0]!;
  } catch (error) {
    if (sqlState(error) === SQLSTATE.UNIQUE_VIOLATION) throw new ValidationError('email', `${input.email} is taken`);
    if (sqlState(error) === SQLSTATE.FOREIGN_KEY_VIOLATION) {
      throw new ValidationError(scopeField ?? 'role', 'refers to an account that does not exist');
    }
    throw error;
  }
}

export async function getUser(db: Queryable, id: number): Promise<User> {
  const user = first(await db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]));
  if (!user) throw new NotFoundError('user', id);
  return user;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`);
}
