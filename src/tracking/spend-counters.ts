import { capDays, periodKey } from '../ledger/cap-windows.ts';
import { CAP_PERIODS, type CapPeriod } from '../offers/offer-rules.ts';
import type { Queryable } from '../store/store.ts';
import type { TrackedOffer } from './tracking-catalog.ts';

interface Tally {
  clicks: bigint;
  costMicros: bigint;
}

function addTo(tallies: Map<string, Tally>, key: string, { clicks, costMicros }: Tally): void {
  const tally = tallies.get(key) ?? { clicks: 0n, costMicros: 0n };
  tallies.set(key, { clicks: tally.clicks + clicks, costMicros: tally.costMicros + costMicros });
}

/** Only offers with a budget or click caps are counted; the others need no tally. */
const hasLimits = (offer: TrackedOffer) => offer.dailyBudgetMicros !== null || offer.clickCaps.length > 0;

/** Counted traffic, as budgets and click caps see it: a click (clicks 1) or an impression (clicks 0) and what it cost. */
export interface CountedTraffic extends Tally {
  offerId: number;
  partnerId: number;
  at: Date;
}

/**
 * Clicks and what traffic cost (CPC clicks, CPM impressions) per offer, and per partner on it, by
 * local day, week, month and lifetime, kept in memory so budgets and click caps are checked without a
 * query. Loaded from the statistics at start, and again every few seconds when several processes
 * share a PostgreSQL server.
 */
export class SpendCounters {
  private tallies = new Map<string, Tally>();
  /** Traffic counted while a load runs, to be added to the loaded counts. */
  private arrivals: CountedTraffic[] | undefined;

  private key(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): string {
    return `${offerId}|${partnerId ?? '*'}|${periodKey(period, at, timeZone)}`;
  }

  get(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): Tally {
    return this.tallies.get(this.key(offerId, partnerId, period, at, timeZone)) ?? { clicks: 0n, costMicros: 0n };
  }

  /** Counts a click or an impression. */
  add(offer: TrackedOffer, partnerId: number, at: Date, timeZone: string, { clicks, costMicros }: Tally): void {
    if (!hasLimits(offer)) return;
    const traffic = { offerId: offer.id, partnerId, at, clicks, costMicros };
    this.count(this.tallies, traffic, timeZone);
    this.arrivals?.push(traffic);
  }

  private count(tallies: Map<string, Tally>, { offerId, partnerId, at, clicks, costMicros }: CountedTraffic, timeZone: string): void {
    for (const period of CAP_PERIODS) {
      for (const who of [null, partnerId]) addTo(tallies, this.key(offerId, who, period, at, timeZone), { clicks, costMicros });
    }
  }

  /** Forgets the tallies of days and months that have ended: no click counts in them again, and they would pile up. */
  forgetPast(now: Date, timeZone: string): void {
    const current = new Set(CAP_PERIODS.map((period) => periodKey(period, now, timeZone)));
    for (const key of this.tallies.keys()) {
      const period = key.slice(key.indexOf('|', key.indexOf('|') + 1) + 1);
      if (!current.has(period)) this.tallies.delete(key);
    }
  }

  /** Whether one more unit costing `costMicros` would pass the offer's budget, and one more click a click cap. */
  check(offer: TrackedOffer, partnerId: number, at: Date, timeZone: string, costMicros: bigint): { overBudget: boolean; overClickCap: boolean } {
    let overBudget = false;
    if (!hasLimits(offer)) return { overBudget, overClickCap: false };
    let overClickCap = false;
    if (offer.dailyBudgetMicros !== null) {
      overBudget = this.get(offer.id, null, 'day', at, timeZone).costMicros + costMicros > offer.dailyBudgetMicros;
    }
    for (const cap of offer.clickCaps) {
      if (cap.partnerId !== null && cap.partnerId !== partnerId) continue;
      const tally = this.get(offer.id, cap.partnerId, cap.period, at, timeZone);
      if (cap.metric === 'clicks' && tally.clicks + 1n > cap.limit) overClickCap = true;
      if (cap.metric === 'budget' && tally.costMicros + costMicros > cap.limit) overBudget = true;
    }
    return { overBudget, overClickCap };
  }

  /**
   * Starts over from the statistics, which hold the written traffic of every process sharing the
   * store, plus this process's traffic not yet written when the load began and that counted while
   * it ran. Nothing is missed; what a batch commits during the load may be counted twice until the
   * next load, which errs on the side of not overspending.
   */
  async load(db: Queryable, offers: Iterable<TrackedOffer>, now: Date, timeZone: string, unwritten: CountedTraffic[]): Promise<void> {
    const tallies = new Map<string, Tally>();
    const arrivals: CountedTraffic[] = [];
    this.arrivals = arrivals;
    try {
      const limitedIds = new Set([...offers].filter(hasLimits).map((offer) => offer.id));
      // One query a period for all such offers: this runs every few seconds on a shared server.
      for (const period of limitedIds.size === 0 ? [] : CAP_PERIODS) {
        const days = capDays(period, now, timeZone);
        const rows = await db.query<{ offerId: number; partnerId: number; clicks: bigint; costMicros: bigint }>(
          `SELECT offer_id AS "offerId", partner_id AS "partnerId", sum(gross_clicks)::int8 AS clicks, sum(click_cost_micros)::int8 AS "costMicros"
           FROM stats_daily_offer_partner WHERE offer_id = ANY($1::int[]) AND day >= $2::date AND day < $3::date GROUP BY offer_id, partner_id`,
          [[...limitedIds], days.from, days.to],
        );
        for (const row of rows) {
          for (const who of [null, row.partnerId]) addTo(tallies, this.key(row.offerId, who, period, now, timeZone), row);
        }
      }
      for (const traffic of [...unwritten, ...arrivals]) if (limitedIds.has(traffic.offerId)) this.count(tallies, traffic, timeZone);
      this.tallies = tallies;
    } finally {
      if (this.arrivals === arrivals) this.arrivals = undefined;
    }
  }
}
