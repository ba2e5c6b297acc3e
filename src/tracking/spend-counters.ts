import { capWindow, periodKey } from '../ledger/cap-windows.ts';
import type { CapPeriod } from '../offers/offer-terms.ts';
import type { Queryable } from '../store/store.ts';
import type { TrackedOffer } from './tracking-catalog.ts';

interface Tally {
  clicks: bigint;
  costMicros: bigint;
}

const PERIODS: CapPeriod[] = ['day', 'month', 'lifetime'];

/**
 * Clicks and CPC spend per offer (and per partner on it) by local day, month and lifetime, kept in
 * memory so budgets and click caps are checked without a query. Seeded from the statistics at start.
 */
export class SpendCounters {
  private readonly tallies = new Map<string, Tally>();

  private key(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): string {
    return `${offerId}|${partnerId ?? '*'}|${periodKey(period, at, timeZone)}`;
  }

  get(offerId: number, partnerId: number | null, period: CapPeriod, at: Date, timeZone: string): Tally {
    return this.tallies.get(this.key(offerId, partnerId, period, at, timeZone)) ?? { clicks: 0n, costMicros: 0n };
  }

  /** Counts a click; only offers with a budget or click caps are counted, the others need no tally. */
  add(offer: TrackedOffer, partnerId: number, at: Date, timeZone: string, costMicros: bigint): void {
    if (offer.dailyBudgetMicros === null && offer.clickCaps.length === 0) return;
    const offerId = offer.id;
    for (const period of PERIODS) {
      for (const who of [null, partnerId]) {
        const key = this.key(offerId, who, period, at, timeZone);
        const tally = this.tallies.get(key) ?? { clicks: 0n, costMicros: 0n };
        this.tallies.set(key, { clicks: tally.clicks + 1n, costMicros: tally.costMicros + costMicros });
      }
    }
  }

  /** Whether one more click costing `costMicros` would pass the offer's budget or a click cap. */
  check(offer: TrackedOffer, partnerId: number, at: Date, timeZone: string, costMicros: bigint): { overBudget: boolean; overClickCap: boolean } {
    let overBudget = false;
    if (offer.dailyBudgetMicros === null && offer.clickCaps.length === 0) return { overBudget, overClickCap: false };
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

  /** Loads what the statistics hold for the periods now running, for the offers that have limits. */
  async seed(db: Queryable, offers: Iterable<TrackedOffer>, now: Date, timeZone: string): Promise<void> {
    for (const offer of offers) {
      if (offer.dailyBudgetMicros === null && offer.clickCaps.length === 0) continue;
      for (const period of PERIODS) {
        const window = capWindow(period, now, timeZone);
        const rows = await db.query<{ partnerId: number; clicks: bigint; cost: bigint }>(
          `SELECT partner_id AS "partnerId", sum(gross_clicks)::int8 AS clicks, sum(click_cost_micros)::int8 AS cost
           FROM stats_hourly WHERE offer_id = $1 AND hour >= $2 AND hour < $3 GROUP BY partner_id`,
          [offer.id, window.from, window.to],
        );
        let total: Tally = { clicks: 0n, costMicros: 0n };
        for (const row of rows) {
          this.tallies.set(this.key(offer.id, row.partnerId, period, now, timeZone), { clicks: row.clicks, costMicros: row.cost });
          total = { clicks: total.clicks + row.clicks, costMicros: total.costMicros + row.cost };
        }
        this.tallies.set(this.key(offer.id, null, period, now, timeZone), total);
      }
    }
  }
}
