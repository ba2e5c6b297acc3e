import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first, SqlParams } from '../shared/sql.ts';
import { sqlState, SQLSTATE, type Queryable } from '../store/store.ts';
import { ROLES, type Principal, type Role } from './principal.ts';

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
  twoFactor: boolean;
  apiAccess: boolean;
  /** False while an invited user has not yet set a password. */
  hasPassword: boolean;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  advertiserId?: number | null;
  partnerId?: number | null;
  agencyId?: number | null;
  /** A scrypt hash (see passwords.ts); none for an invited user until the invitation is accepted. */
  passwordHash?: string | null;
  apiAccess?: boolean;
}

const USER_COLUMNS = `id, email, name, role, advertiser_id AS "advertiserId", partner_id AS "partnerId",
  agency_id AS "agencyId", status, created_at AS "createdAt", totp_enabled_at IS NOT NULL AS "twoFactor",
  api_access AS "apiAccess", password_hash IS NOT NULL AS "hasPassword"`;

const SCOPE_FIELD: Record<Role, keyof NewUser | null> = {
  network_admin: null,
  advertiser: 'advertiserId',
  partner: 'partnerId',
  agency: 'agencyId',
};

export async function createUser(db: Queryable, input: NewUser): Promise<User> {
  if (!ROLES.includes(input.role)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')}`);
  if (!/^[^@\s]+@[^@\s]+$/.test(input.email) || input.email.length > 254) throw new ValidationError('email', 'is not an email address');
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  const scopeField = SCOPE_FIELD[input.role];
  for (const field of ['advertiserId', 'partnerId', 'agencyId'] as const) {
    const given = input[field] != null;
    if (field === scopeField && !given) throw new ValidationError(field, `is required for the ${input.role} role`);
    if (field !== scopeField && given) throw new ValidationError(field, `does not apply to the ${input.role} role`);
  }
  try {
    const rows = await db.query<User>(
      `INSERT INTO users (email, name, role, advertiser_id, partner_id, agency_id, password_hash, api_access)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${USER_COLUMNS}`,
      [input.email, input.name.trim(), input.role, input.advertiserId ?? null, input.partnerId ?? null, input.agencyId ?? null,
        input.passwordHash ?? null, input.apiAccess ?? true],
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

/** A SQL condition on a users row (alias u) true for the users a caller may see and manage: its account's, or all for the network. */
export function manageableUsers(principal: Principal, params: SqlParams): string {
  switch (principal.role) {
    case 'network_admin':
      return 'TRUE';
    case 'advertiser':
      return `u.advertiser_id = ${params.add(principal.advertiserId)}`;
    case 'agency':
      return `u.agency_id = ${params.add(principal.agencyId)}`;
    case 'partner':
      return `u.partner_id = ${params.add(principal.partnerId)}`;
  }
}

export async function listUsersOf(db: Queryable, principal: Principal): Promise<User[]> {
  const params = new SqlParams();
  return db.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE ${manageableUsers(principal, params)} ORDER BY id`, params.values);
}

export async function getManageableUser(db: Queryable, principal: Principal, id: number): Promise<User> {
  const params = new SqlParams();
  const user = first(
    await db.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ${params.add(id)} AND ${manageableUsers(principal, params)}`, params.values),
  );
  if (!user) throw new NotFoundError('user', id);
  return user;
}

/** A new user of the caller's own account, or (for the network) of any account. */
export function checkInvitable(principal: Principal, input: NewUser): void {
  if (principal.role === 'network_admin') return;
  const own = { advertiserId: principal.advertiserId, partnerId: principal.partnerId, agencyId: principal.agencyId };
  const sameAccount =
    input.role === principal.role &&
    (input.advertiserId ?? null) === own.advertiserId &&
    (input.partnerId ?? null) === own.partnerId &&
    (input.agencyId ?? null) === own.agencyId;
  if (!sameAccount) throw new ForbiddenError('You may invite only colleagues of your own account');
}

export interface UserChanges {
  name?: string;
  status?: 'active' | 'disabled';
  apiAccess?: boolean;
}

export async function updateUser(db: Queryable, principal: Principal, id: number, changes: UserChanges): Promise<User> {
  const user = await getManageableUser(db, principal, id);
  if (changes.apiAccess !== undefined && principal.role !== 'network_admin') throw new ForbiddenError('Only the network grants API access');
  if (changes.status === 'disabled' && id === principal.userId) throw new ValidationError('status', 'you cannot disable yourself');
  const name = changes.name?.trim() ?? user.name;
  if (name === '') throw new ValidationError('name', 'must not be empty');
  await db.query('UPDATE users SET name = $2, status = $3, api_access = $4 WHERE id = $1', [
    id,
    name,
    changes.status ?? user.status,
    changes.apiAccess ?? user.apiAccess,
  ]);
  return getUser(db, id);
}

export async function setPasswordHash(db: Queryable, userId: number, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, email_confirmed_at = coalesce(email_confirmed_at, now()) WHERE id = $1', [userId, passwordHash]);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  return first(await db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]));
}
