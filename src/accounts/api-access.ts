import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { first, SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import type { Principal } from './principal.ts';
import { manageableUsers } from './users.ts';

/** An account asks for API access, saying what for; the network grants it, then the user makes keys. */
export interface ApiAccessRequest {
  id: number;
  userId: number;
  email: string;
  role: string;
  useCase: string;
  status: 'pending' | 'approved' | 'rejected';
  reason: string | null;
  createdAt: Date;
  decidedAt: Date | null;
}

const COLUMNS = `r.id, r.user_id AS "userId", u.email, u.role, r.use_case AS "useCase", r.status, r.reason,
  r.created_at AS "createdAt", r.decided_at AS "decidedAt"`;

export async function requestApiAccess(db: Queryable, principal: Principal, useCase: string): Promise<ApiAccessRequest> {
  if (useCase.trim().length < 10) throw new ValidationError('useCase', 'describe in a sentence what you will use the API for');
  const access = first(await db.query<{ apiAccess: boolean }>('SELECT api_access AS "apiAccess" FROM users WHERE id = $1', [principal.userId]));
  if (access?.apiAccess) throw new ConflictError('You already have API access: make a key on your account page');
  const open = await db.query('SELECT 1 FROM api_access_requests WHERE user_id = $1 AND status = $2', [principal.userId, 'pending']);
  if (open.length > 0) throw new ConflictError('Your earlier request is still waiting for the network');
  const [row] = await db.query<{ id: number }>('INSERT INTO api_access_requests (user_id, use_case) VALUES ($1, $2) RETURNING id', [
    principal.userId,
    useCase.trim(),
  ]);
  return getApiAccessRequest(db, principal, row!.id);
}

export async function listApiAccessRequests(db: Queryable, principal: Principal): Promise<ApiAccessRequest[]> {
  const params = new SqlParams();
  return db.query<ApiAccessRequest>(
    `SELECT ${COLUMNS} FROM api_access_requests r JOIN users u ON u.id = r.user_id WHERE ${manageableUsers(principal, params)} ORDER BY r.id DESC`,
    params.values,
  );
}

export async function getApiAccessRequest(db: Queryable, principal: Principal, id: number): Promise<ApiAccessRequest> {
  const params = new SqlParams();
  const request = first(
    await db.query<ApiAccessRequest>(
      `SELECT ${COLUMNS} FROM api_access_requests r JOIN users u ON u.id = r.user_id
       WHERE r.id = ${params.add(id)} AND ${manageableUsers(principal, params)}`,
      params.values,
    ),
  );
  if (!request) throw new NotFoundError('API access request', id);
  return request;
}

/** The network's answer; answering the same again changes nothing. */
export async function decideApiAccess(db: Queryable, principal: Principal, id: number, approve: boolean, reason: string | null): Promise<ApiAccessRequest> {
  const request = await getApiAccessRequest(db, principal, id);
  const status = approve ? 'approved' : 'rejected';
  if (request.status === status) return request;
  if (request.status !== 'pending') throw new ConflictError(`This request was already ${request.status}`);
  await db.query('UPDATE api_access_requests SET status = $2, reason = $3, decided_at = now() WHERE id = $1', [id, status, reason]);
  if (approve) await db.query('UPDATE users SET api_access = true WHERE id = $1', [request.userId]);
  return getApiAccessRequest(db, principal, id);
}

export async function requireApiAccess(db: Queryable, userId: number): Promise<void> {
  const access = first(await db.query<{ apiAccess: boolean }>('SELECT api_access AS "apiAccess" FROM users WHERE id = $1', [userId]));
  if (!access?.apiAccess) throw new ForbiddenError('Ask the network for API access first (POST /api/v1/api-access-requests)');
}
