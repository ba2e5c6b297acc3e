import type { Principal } from '../accounts/principal.ts';
import { getOffer } from '../offers/offers.ts';
import { ValidationError } from '../shared/errors.ts';
import { parseScaled } from '../shared/money.ts';
import type { Queryable } from '../store/store.ts';

export interface BidFactor {
  subId: string;
  /** Ten-thousandths: 12500 is a factor of 1.25. */
  factorE4: number;
}

export const MAX_BID_FACTOR_E4 = 100 * 10_000;

/** A bid factor written as a decimal (1.25) with at most 4 decimals, between 0 and 100. */
export function parseBidFactor(field: string, value: number | string): number {
  const scaled = parseScaled(value, 4);
  if (scaled === undefined || scaled < 0n || scaled > BigInt(MAX_BID_FACTOR_E4)) {
    throw new ValidationError(field, 'must be a number from 0 to 100 with at most 4 decimals');
  }
  return Number(scaled);
}

/**
 * Sets factors for sub-IDs of one offer (each read by `normalizeSubId` and `parseBidFactor`, which
 * name the field as the caller's API does); sending the same factors again changes nothing.
 */
export async function setBidFactors(db: Queryable, principal: Principal, offerId: number, factors: BidFactor[]): Promise<BidFactor[]> {
  await getOffer(db, principal, offerId);
  if (factors.length === 0) throw new ValidationError('subIds', 'must name at least one sub-ID');
  const bySubId = new Map<string, number>();
  for (const factor of factors) bySubId.set(factor.subId, factor.factorE4);
  await db.query(
    `INSERT INTO bid_factors (offer_id, sub_id, factor)
     SELECT $1, sub_id, factor_e4 / 10000.0 FROM unnest($2::text[], $3::int[]) AS f (sub_id, factor_e4)
     ON CONFLICT (offer_id, sub_id) DO UPDATE SET factor = EXCLUDED.factor, updated_at = now()`,
    [offerId, [...bySubId.keys()], [...bySubId.values()]],
  );
  return [...bySubId].map(([subId, factorE4]) => ({ subId, factorE4 }));
}

/** Factors of an offer by sub-ID; a sub-ID without one buys at factor 1. */
export async function bidFactorsOf(db: Queryable, offerId: number): Promise<Map<string, number>> {
  const rows = await db.query<{ subId: string; factorE4: number }>(
    `SELECT sub_id AS "subId", (factor * 10000)::int AS "factorE4" FROM bid_factors WHERE offer_id = $1`,
    [offerId],
  );
  return new Map(rows.map((row) => [row.subId, row.factorE4]));
}
