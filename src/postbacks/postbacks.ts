import type { Principal } from '../accounts/principal.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { requireOfferInScope } from '../offers/offers.ts';
import { first, SqlParams } from '../shared/sql.ts';
import { isHttpUrlTemplate, withMacrosFilled } from '../shared/urls.ts';
import type { Queryable } from '../store/store.ts';
import { privateAddressIn } from './destination-guard.ts';
import type { PostbackOperation } from './postback-macros.ts';

export const POSTBACK_OPERATIONS: PostbackOperation[] = ['create', 'update', 'reject'];

export interface Postback {
  id: number;
  partnerId: number;
  offerId: number | null;
  goalId: number | null;
  type: 'url' | 'image';
  events: PostbackOperation[];
  url: string;
  signed: boolean;
  status: 'active' | 'parked' | 'deleted';
  consecutiveFailures: number;
  createdAt: Date;
}

export interface PostbackInput {
  partnerId?: number;
  offerId?: number | null;
  goalId?: number | null;
  type: 'url' | 'image';
  events?: PostbackOperation[];
  url: string;
  secret?: string | null;
}

const COLUMNS = `id, partner_id AS "partnerId", offer_id AS "offerId", goal_id AS "goalId", type, events, url,
  secret IS NOT NULL AS signed, status, consecutive_failures AS "consecutiveFailures", created_at AS "createdAt"`;

/** Partners register their own postbacks; the network registers them on a partner's behalf. */
function ownerOf(principal: Principal, partnerId: number | undefined): number {
  if (principal.role === 'partner') {
    if (partnerId !== undefined && partnerId !== principal.partnerId) throw new ForbiddenError('You may register postbacks only for yourself');
    return principal.partnerId!;
  }
  if (principal.role !== 'network_admin') throw new ForbiddenError('Only partners and the network register partner postbacks');
  if (partnerId === undefined) throw new ValidationError('partnerId', 'is required when the network registers a postback');
  return partnerId;
}

function visible(principal: Principal, params: SqlParams): string {
  if (principal.role === 'network_admin') return 'TRUE';
  if (principal.role === 'partner') return `partner_id = ${params.add(principal.partnerId)}`;
  return 'FALSE';
}

/** Registers a postback. */
export async function createPostback(
  db: Queryable,
  principal: Principal,
  input: PostbackInput,
  options: { allowPrivateDestinations: boolean },
): Promise<Postback> {
  const partnerId = ownerOf(principal, input.partnerId);
  const events = await checkPostback(db, principal, partnerId, input, options);
  const [row] = await db.query<Postback>(
    `INSERT INTO partner_postbacks (partner_id, offer_id, goal_id, type, events, url, secret) VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING ${COLUMNS}`,
    [partnerId, input.offerId ?? null, input.goalId ?? null, input.type, events, input.url, input.secret ?? null],
  );
  return row!;
}

export type PostbackChanges = Partial<Omit<PostbackInput, 'partnerId'>>;

/** Changes a postback for the conversions to come; deliveries already queued keep the URL they were given. */
export async function updatePostback(
  db: Queryable,
  principal: Principal,
  id: number,
  changes: PostbackChanges,
  options: { allowPrivateDestinations: boolean },
): Promise<Postback> {
  const current = await getPostback(db, principal, id);
  const next = {
    offerId: changes.offerId === undefined ? current.offerId : changes.offerId,
    goalId: changes.goalId === undefined ? current.goalId : changes.goalId,
    type: changes.type ?? current.type,
    events: changes.events ?? current.events,
    url: changes.url ?? current.url,
  };
  const events = await checkPostback(db, principal, current.partnerId, next, options);
  const secret = changes.secret === undefined ? '' : ', secret = $7';
  await db.query(
    `UPDATE partner_postbacks SET offer_id = $2, goal_id = $3, type = $4, events = $5, url = $6${secret}, updated_at = now() WHERE id = $1`,
    [id, next.offerId, next.goalId, next.type, events, next.url, ...(changes.secret === undefined ? [] : [changes.secret])],
  );
  return getPostback(db, principal, id);
}

/**
 * A postback's settings checked; answers its events. A private or loopback address written in its
 * URL is refused here, where the partner can correct it; names, and hosts made of macros, are
 * checked as they are called.
 */
async function checkPostback(
  db: Queryable,
  principal: Principal,
  partnerId: number,
  input: Omit<PostbackInput, 'partnerId' | 'secret'>,
  { allowPrivateDestinations }: { allowPrivateDestinations: boolean },
): Promise<PostbackOperation[]> {
  if (!isHttpUrlTemplate(input.url)) throw new ValidationError('url', 'must be an absolute http(s) URL, macros allowed');
  const address = allowPrivateDestinations ? undefined : privateAddressIn(new URL(withMacrosFilled(input.url)));
  if (address) throw new ValidationError('url', `${address} is a private or loopback address, which postbacks reach only when the operator sets POSTBACK_ALLOW_PRIVATE`);
  const events = [...new Set(input.events ?? POSTBACK_OPERATIONS)];
  if (events.length === 0 || events.some((event) => !POSTBACK_OPERATIONS.includes(event))) {
    throw new ValidationError('events', `must name some of ${POSTBACK_OPERATIONS.join(', ')}`);
  }
  if ((await db.query('SELECT 1 FROM partners WHERE id = $1', [partnerId])).length === 0) {
    throw new ValidationError('partnerId', `unknown partner ${partnerId}`);
  }
  if (input.offerId != null) await requireOfferInScope(db, principal, input.offerId);
  if (input.goalId != null) {
    if (input.offerId == null) throw new ValidationError('goalId', 'a goal postback names its offer too');
    if ((await db.query('SELECT 1 FROM goals WHERE id = $1 AND offer_id = $2', [input.goalId, input.offerId])).length === 0) {
      throw new ValidationError('goalId', `offer ${input.offerId} has no goal ${input.goalId}`);
    }
  }
  return events;
}

export async function listPostbacks(db: Queryable, principal: Principal, partnerId?: number): Promise<Postback[]> {
  const params = new SqlParams();
  const filter = partnerId === undefined ? '' : ` AND partner_id = ${params.add(partnerId)}`;
  return db.query<Postback>(
    `SELECT ${COLUMNS} FROM partner_postbacks WHERE status <> 'deleted' AND ${visible(principal, params)}${filter} ORDER BY id`,
    params.values,
  );
}

export async function getPostback(db: Queryable, principal: Principal, id: number): Promise<Postback> {
  const postback = first(await db.query<Postback>(`SELECT ${COLUMNS} FROM partner_postbacks WHERE id = $1`, [id]));
  if (!postback || postback.status === 'deleted') throw new NotFoundError('postback', id);
  if (principal.role !== 'network_admin' && postback.partnerId !== principal.partnerId) {
    throw new ForbiddenError(`Postback ${id} belongs to another partner`);
  }
  return postback;
}

export async function deletePostback(db: Queryable, principal: Principal, id: number): Promise<Postback> {
  await getPostback(db, principal, id);
  await db.query(`UPDATE partner_postbacks SET status = 'deleted', updated_at = now() WHERE id = $1`, [id]);
  return (await db.query<Postback>(`SELECT ${COLUMNS} FROM partner_postbacks WHERE id = $1`, [id]))[0]!;
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'parked'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: bigint;
  postbackId: number;
  conversionId: bigint;
  operation: PostbackOperation;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
  log: Array<{ attemptedAt: string; statusCode: number | null; latencyMs: number; responseExcerpt: string | null; error: string | null }>;
}

/** A postback's latest 500 deliveries, newest first; only those in one status when it is given (the parked ones, to replay). */
export async function listDeliveries(db: Queryable, principal: Principal, postbackId: number, status?: DeliveryStatus): Promise<Delivery[]> {
  await getPostback(db, principal, postbackId);
  return db.query<Delivery>(
    `SELECT o.id, o.postback_id AS "postbackId", o.conversion_id AS "conversionId", o.operation, o.url, o.status, o.attempts,
            o.next_attempt_at AS "nextAttemptAt", o.last_error AS "lastError", o.delivered_at AS "deliveredAt",
            coalesce((SELECT json_agg(json_build_object('attemptedAt', a.attempted_at, 'statusCode', a.status_code,
                       'latencyMs', a.latency_ms, 'responseExcerpt', a.response_excerpt, 'error', a.error) ORDER BY a.id)
                      FROM delivery_attempts a WHERE a.outbox_id = o.id), '[]') AS log
     FROM outbox o WHERE o.postback_id = $1 AND ($2::text IS NULL OR o.status = $2) ORDER BY o.id DESC LIMIT 500`,
    [postbackId, status ?? null],
  );
}

/**
 * Sends a delivery again from the start. Replaying a parked endpoint's delivery wakes the
 * endpoint, and the other deliveries parked with it are queued too.
 */
export async function replayDelivery(db: Queryable, principal: Principal, deliveryId: bigint): Promise<number> {
  const [delivery] = await db.query<{ postbackId: number }>(`SELECT postback_id AS "postbackId" FROM outbox WHERE id = $1`, [String(deliveryId)]);
  if (!delivery) throw new NotFoundError('delivery', String(deliveryId));
  const postback = await getPostback(db, principal, delivery.postbackId);
  const requeued = await db.query(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
     WHERE id = $1 OR ($2 AND postback_id = $3 AND status = 'parked') RETURNING id`,
    [String(deliveryId), postback.status === 'parked', postback.id],
  );
  if (postback.status === 'parked') {
    await db.query(`UPDATE partner_postbacks SET status = 'active', consecutive_failures = 0, updated_at = now() WHERE id = $1`, [postback.id]);
  }
  return requeued.length;
}
