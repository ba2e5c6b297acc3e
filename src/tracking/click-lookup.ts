import type { Principal } from '../accounts/principal.ts';
import { advertiserScopeOf } from '../ledger/ledger-access.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { formatMoney } from '../shared/money.ts';
import type { Queryable } from '../store/store.ts';

interface StoredClick {
  transactionId: string;
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  advertiserId: number | null;
  outcome: string;
  isUnique: boolean;
  source: string | null;
  affSubs: Array<string | null>;
  affClickId: string | null;
  params: Record<string, string> | null;
  subId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  device: string | null;
  browser: string | null;
  os: string | null;
  referrer: string | null;
  landingUrl: string | null;
  costMicros: bigint;
  payoutMicros: bigint;
  conversions: Array<{ id: string; status: string; statusCode: number; goalId: number | null; convertedAt: string }>;
}

/**
 * A click by its transaction id, with what became of it and the conversions made on it, for
 * whoever may see it: the partner it names, the advertiser of its offer, the network. A partner
 * never sees what the click cost the advertiser, and only the network sees the visitor's address.
 */
export async function lookUpClick(db: Queryable, principal: Principal, transactionId: string) {
  const [click] = await db.query<StoredClick>(
    `SELECT k.transaction_id AS "transactionId", k.created_at AS "createdAt", k.offer_id AS "offerId", k.partner_id AS "partnerId",
            o.advertiser_id AS "advertiserId", k.outcome, k.is_unique AS "isUnique", k.source,
            ARRAY[k.aff_sub1, k.aff_sub2, k.aff_sub3, k.aff_sub4, k.aff_sub5] AS "affSubs", k.aff_click_id AS "affClickId", k.params,
            k.sub_id AS "subId", k.ip, k.user_agent AS "userAgent", k.country, k.device, k.browser, k.os, k.referrer,
            k.landing_url AS "landingUrl", k.cost_micros AS "costMicros", k.payout_micros AS "payoutMicros",
            coalesce((SELECT json_agg(json_build_object('id', c.id::text, 'status', c.status, 'statusCode', c.status_code,
                        'goalId', c.goal_id, 'convertedAt', c.converted_at) ORDER BY c.id)
                      FROM conversions c WHERE c.transaction_id = k.transaction_id), '[]') AS conversions
     FROM clicks k LEFT JOIN offers o ON o.id = k.offer_id WHERE k.transaction_id = $1`,
    [transactionId],
  );
  if (!click) throw new NotFoundError('click', transactionId);
  const allowed =
    principal.role === 'partner'
      ? click.partnerId === principal.partnerId
      : ((await advertiserScopeOf(db, principal))?.includes(click.advertiserId ?? 0) ?? true);
  if (!allowed) throw new ForbiddenError(`Click ${transactionId} is not yours to see`);
  const { ip, costMicros, payoutMicros, ...shown } = click;
  return {
    ...shown,
    payout: formatMoney(payoutMicros),
    ...(principal.role === 'partner' ? {} : { cost: formatMoney(costMicros) }),
    ...(principal.role === 'network_admin' ? { ip } : {}),
  };
}
