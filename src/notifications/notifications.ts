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
}

/** The latest 200 a caller may read, newest first: a partner's own, an advertiser's (or agency's) own, the network all. */
export async function listNotifications(db: Queryable, principal: Principal): Promise<Notification[]> {
  const params = new SqlParams();
  const visible =
    principal.role === 'partner'
      ? `n.partner_id = ${params.add(principal.partnerId)}`
      : principal.role === 'network_admin'
        ? 'TRUE'
        : `n.advertiser_id IN (SELECT a.id FROM advertisers a WHERE ${visibleAdvertisers(principal, 'a', params)})`;
  return db.query<Notification>(
    `SELECT n.id::text, n.partner_id AS "partnerId", n.advertiser_id AS "advertiserId", n.offer_id AS "offerId", n.kind,
            n.message, n.created_at AS "createdAt"
     FROM notifications n WHERE ${visible} ORDER BY n.id DESC LIMIT 200`,
    params.values,
  );
}
