import { capWindow, periodKey } from '../ledger/cap-windows.ts';
import type { CapPeriod } from '../offers/offer-terms.ts';
import type { Queryable } from '../store/store.ts';
import type { TrackedOffer } from './tracking-catalog.ts';

interface Tally {
  clicks: bigint;
  costMicros: bigint;
}

const PERIODS: CapPeriod[] = ['day', 'month', 'lifetime'];

/** Only offers with a budget or click caps are counted; the others need no tally. */
const hasLimits = (offer: TrackedOffer) => offer.dailyBudgetMicros !== null || offer.clickCaps.length > 0;

/** A counted click, as budgets and click caps see it. */
export interface CountedClick {
  offerId: number;
  partnerId: number;
  at: Date;
  costMicros: bigint;
}

/**
 * Clicks and CPC spend per offer (and per partner on it) by local day, month and lifetime, kept in
 * memory so budgets and click caps are checked without a query. Loaded from the statistics at start,
 * and again every few seconds when several processes share a PostgreSQL server.
 */
export class SpendCounters {
  private tallies = new Map<string, Tally>();
  /** Clicks counted while a load runs, to be added to the loaded counts. */
  private arrivals: CountedClick[] | undefined;

  private key(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): string {
    return `${offerId}|${partnerId ?? '*'}|${periodKey(period, at, timeZone)}`;
  }

  get(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): Tally {
    return this.tallies.get(this.key(offerId, partnerId, period, at, timeZone)) ?? { clicks: 0n, costMicros: 0n };
  }

  /** Counts a click. */
  add(offer: TrackedOffer, partnerId: number, at: Date, timeZone: string, costMicros: bigint): void {
    if (!hasLimits(offer)) return;
    const click = { offerId: offer.id, partnerId, at, costMicros };
    this.count(this.tallies, click, timeZone);
    this.arrivals?.push(click);
  }

  private count(tallies: Map<string, Tally>, { offerId, partnerId, at, costMicros }: CountedClick, timeZone: string): void {
    for (const period of PERIODS) {
      for (const who of [null, partnerId]) {
        const key = this.key(offerId, who, period, at, timeZone);
        const tally = tallies.get(key) ?? { clicks: 0n, costMicros: 0n };
        tallies.set(key, { clicks: tally.clicks + 1n, costMicros: tally.costMicros + costMicros });
      }
    }
  }

  /** Whether one more click costing `costMicros` would pass the offer's budget or a click cap. */
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
   * Starts over from the statistics, which hold the written clicks of every process sharing the
   * store, plus this process's clicks not yet written when the load began and those counted while
   * it ran. A click is never missed; one whose batch commits during the load may be counted twice
   * until the next load, which errs on the side of not overspending.
   */
  async load(db: Queryable, offers: Iterable<TrackedOffer>, now: Date, timeZone: string, unwritten: CountedClick[]): Promise<void> {
    const tallies = new Map<string, Tally>();
    const arrivals: CountedClick[] = [];
    this.arrivals = arrivals;
    try {
      const limited = [...offers].filter(hasLimits);
      for (const offer of limited) {
        for (const period of PERIODS) {
          const window = capWindow(period, now, timeZone);
          const rows = await db.query<{ partnerId: number; clicks: bigint; cost: bigint }>(
            `SELECT partner_id AS "partnerId", sum(gross_clicks)::int8 AS clicks, sum(click_cost_micros)::int8 AS cost
             FROM stats_hourly WHERE offer_id = $1 AND hour >= $2 AND hour < $3 GROUP BY partner_id`,
            [offer.id, window.from, window.to],
          );
          let total: Tally = { clicks: 0n, costMicros: 0n };
          for (const row of rows) {
            tallies.set(this.key(offer.id, row.partnerId, period, now, timeZone), { clicks: row.clicks, costMicros: row.cost });
            total = { clicks: total.clicks + row.clicks, costMicros: total.costMicros + row.cost };
          }
          tallies.set(this.key(offer.id, null, period, now, timeZone), total);
        }
      }
      const limitedIds = new Set(limited.map((offer) => offer.id));
      for (const click of [...unwritten, ...arrivals]) if (limitedIds.has(click.offerId)) this.count(tallies, click, timeZone);
      this.tallies = tallies;
    } finally {
      if (this.arrivals === arrivals) this.arrivals = undefined;
    }
  }
}
