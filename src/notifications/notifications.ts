import type { Principal } from '../accounts/principal.ts';
import { visibleAdvertisers } from '../accounts/scope.ts';
import { SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/** Messages for an account: a parked postback, a budget or cap nearly used up or reached. */
export interface Notification {
  id: string;
  partnerId: number | null;
  advertiserId: number | null;
  offerId: number | null;
  kind: string;
  message: string;
  createdAt: Date;
  readAt: Date | null;
}

/** A SQL condition on a notifications row (alias n) true for those the caller may read. */
function visibleTo(principal: Principal, params: SqlParams): string {
  if (principal.role === 'partner') return `n.partner_id = ${params.add(principal.partnerId)}`;
  if (principal.role === 'network_admin') return 'TRUE';
  return `n.advertiser_id IN (SELECT a.id FROM advertisers a WHERE ${visibleAdvertisers(principal, 'a', params)})`;
}

export interface NotificationPage {
  notifications: Notification[];
  /** The id to ask `before` for the next (older) page; null when this page holds the oldest. */
  nextCursor: string | null;
}

/**
 * A page of what a caller may read, newest first, older than `before` if given, each with when
 * this user read it (only the unread ones, if asked): a partner's own, an advertiser's (or
 * agency's) own, the network all.
 */
export async function listNotifications(
  db: Queryable,
  principal: Principal,
  { unreadOnly = false, before, limit }: { unreadOnly?: boolean; before?: bigint; limit: number },
): Promise<NotificationPage> {
  const params = new SqlParams();
  const user = params.add(principal.userId);
  const older = before === undefined ? '' : `AND n.id < ${params.add(String(before))}`;
  const rows = await db.query<Notification>(
    `SELECT n.id::text, n.partner_id AS "partnerId", n.advertiser_id AS "advertiserId", n.offer_id AS "offerId", n.kind,
            n.message, n.created_at AS "createdAt", r.read_at AS "readAt"
     FROM notifications n LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = ${user}
     WHERE ${visibleTo(principal, params)} ${unreadOnly ? 'AND r.read_at IS NULL' : ''} ${older}
     ORDER BY n.id DESC LIMIT ${params.add(limit + 1)}`,
    params.values,
  );
  const notifications = rows.slice(0, limit);
  return { notifications, nextCursor: rows.length > limit ? notifications.at(-1)!.id : null };
}

/**
 * Marks as read, for this user, every notification it may read up to and including `upTo` (the
 * newest one it has seen): what arrived since stays unread. Marking again changes nothing.
 * Answers how many were newly marked.
 */
export async function markNotificationsRead(db: Queryable, principal: Principal, upTo: bigint): Promise<number> {
  const params = new SqlParams();
  const user = params.add(principal.userId);
  const marked = await db.query(
    `INSERT INTO notification_reads (notification_id, user_id)
     SELECT n.id, ${user} FROM notifications n WHERE ${visibleTo(principal, params)} AND n.id <= ${params.add(String(upTo))}
     ON CONFLICT DO NOTHING RETURNING notification_id`,
    params.values,
  );
  return marked.length;
}

/** How far back a partner's traffic on an offer makes it one to tell of the offer's news. */
const RECENT_TRAFFIC_DAYS = 7;

/**
 * Tells every partner that sent an offer counted clicks or impressions in the last week (local
 * days of the network, as the statistics count them), in the caller's transaction: those are the
 * partners whose traffic the news changes. Answers how many.
 */
export async function notifyOfferPartners(db: Queryable, offerId: number, kind: string, message: string): Promise<number> {
  const told = await db.query(
    `INSERT INTO notifications (partner_id, offer_id, kind, message)
     SELECT DISTINCT d.partner_id, d.offer_id, $2, $3 FROM stats_daily_offer_partner d JOIN partners p ON p.id = d.partner_id
     WHERE d.offer_id = $1 AND d.day >= (SELECT (now() AT TIME ZONE time_zone)::date FROM network) - $4::int
       AND d.gross_clicks + d.impressions > 0
     RETURNING id`,
    [offerId, kind, message, RECENT_TRAFFIC_DAYS],
  );
  return told.length;
}
