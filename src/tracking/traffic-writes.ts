import { randomUUID } from 'node:crypto';
import { countRefusedClicks } from '../stats/refused-clicks.ts';
import { applyStatsDeltas, type StatsDelta, type StatsMetric } from '../stats/stats-deltas.ts';
import type { Queryable, Transaction } from '../store/store.ts';
import type { ClickOutcome } from './click-rules.ts';

export interface ClickRecord {
  transactionId: string;
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  outcome: ClickOutcome;
  isUnique: boolean;
  /** Not stored: whose repeat clicks these are (the cookie, else address and agent). */
  visitorId: string;
  source: string | null;
  affSubs: Array<string | null>;
  affClickId: string | null;
  params: Record<string, string> | null;
  subId: string | null;
  ip: string;
  userAgent: string;
  country: string;
  device: string;
  browser: string;
  os: string;
  referrer: string | null;
  landingUrl: string | null;
  costMicros: bigint;
  payoutMicros: bigint;
}

export interface ImpressionRecord {
  createdAt: Date;
  offerId: number;
  partnerId: number;
  source: string | null;
  affSub1: string | null;
  fileId: number | null;
  ip: string;
  country: string;
  device: string;
  /** What the impression of a CPM offer costs the advertiser and earns the partner; 0 on other offers. */
  costMicros: bigint;
  payoutMicros: bigint;
}

/** One group commit's worth of traffic. */
export interface TrafficBatch {
  clicks: ClickRecord[];
  impressions: ImpressionRecord[];
  /**
   * Stored in the write's transaction, to show that it committed: a write of impressions alone has
   * no click to show it, and an impression taken back from disk brings a mark of its own.
   */
  marks?: string[];
  /** Marks of earlier writes known to have committed, no longer needed: removed by this write. */
  settledMarks?: string[];
}

const WRITE_MARK = 'write-';

/** A new write's mark; transaction ids are hex digits, so a mark is never taken for one. */
export const newWriteMark = () => `${WRITE_MARK}${randomUUID()}`;

export const isWriteMark = (witness: string) => witness.startsWith(WRITE_MARK);

/** Which of these witnesses are in the store: clicks by transaction id, and write marks. */
export async function storedWitnesses(db: Queryable, witnesses: string[]): Promise<Set<string>> {
  const rows = await db.query<{ witness: string }>(
    `SELECT transaction_id AS witness FROM clicks WHERE transaction_id = ANY($1::text[])
     UNION ALL SELECT id FROM traffic_write_marks WHERE id = ANY($1::text[])`,
    [witnesses],
  );
  return new Set(rows.map((row) => row.witness));
}

/** Removes write marks no longer needed. */
export async function forgetWriteMarks(db: Queryable, marks: string[]): Promise<void> {
  if (marks.length > 0) await db.query('DELETE FROM traffic_write_marks WHERE id = ANY($1::text[])', [marks]);
}

const CLICK_COLUMNS = [
  'transaction_id', 'created_at', 'offer_id', 'partner_id', 'outcome', 'is_unique', 'source',
  'aff_sub1', 'aff_sub2', 'aff_sub3', 'aff_sub4', 'aff_sub5', 'aff_click_id', 'params', 'sub_id', 'ip', 'user_agent',
  'country', 'device', 'browser', 'os', 'referrer', 'landing_url', 'cost_micros', 'payout_micros',
] as const;

const IMPRESSION_COLUMNS = [
  'created_at', 'offer_id', 'partner_id', 'source', 'aff_sub1', 'file_id', 'ip', 'country', 'device', 'cost_micros', 'payout_micros',
] as const;

/** A click or impression as the statistics see it; only counted traffic gets here, and it names both offer and partner. */
interface TrafficEvent {
  createdAt: Date;
  offerId: number | null;
  partnerId: number | null;
  country: string;
  device: string;
  source: string | null;
}

function statsDelta(event: TrafficEvent, sub1: string | null, metrics: Partial<Record<StatsMetric, bigint>>): StatsDelta {
  const { createdAt, offerId, partnerId, country, device, source } = event;
  return { at: createdAt, offerId: offerId!, partnerId: partnerId!, goalId: 0, country, device, source: source ?? '', sub1: sub1 ?? '', metrics };
}

/**
 * Writes a batch of clicks and impressions with their statistics, in one transaction next to the
 * data (a store task: on the embedded store it runs on the database thread).
 */
export async function writeTraffic(tx: Transaction, { clicks, impressions, marks = [], settledMarks = [] }: TrafficBatch): Promise<void> {
  const deltas: StatsDelta[] = [
    ...clicks
      .filter((click) => click.outcome === 'counted')
      .map((click) =>
        statsDelta(click, click.affSubs[0] ?? null, {
          gross_clicks: 1n,
          unique_clicks: click.isUnique ? 1n : 0n,
          click_cost_micros: click.costMicros,
          click_payout_micros: click.payoutMicros,
        }),
      ),
    // The statistics keep the money of counted traffic, clicks' and impressions' alike, as click cost and payout.
    ...impressions.map((impression) =>
      statsDelta(impression, impression.affSub1, {
        impressions: 1n,
        click_cost_micros: impression.costMicros,
        click_payout_micros: impression.payoutMicros,
      }),
    ),
  ];
  await tx.bulkInsert(
    'clicks',
    CLICK_COLUMNS,
    clicks.map((click) => [
      click.transactionId,
      click.createdAt,
      click.offerId,
      click.partnerId,
      click.outcome,
      click.isUnique,
      click.source,
      ...[0, 1, 2, 3, 4].map((index) => click.affSubs[index] ?? null),
      click.affClickId,
      click.params,
      click.subId,
      click.ip,
      click.userAgent,
      click.country,
      click.device,
      click.browser,
      click.os,
      click.referrer,
      click.landingUrl,
      click.costMicros,
      click.payoutMicros,
    ]),
  );
  await tx.bulkInsert(
    'impressions',
    IMPRESSION_COLUMNS,
    impressions.map((impression) => [
      impression.createdAt,
      impression.offerId,
      impression.partnerId,
      impression.source,
      impression.affSub1,
      impression.fileId,
      impression.ip,
      impression.country,
      impression.device,
      impression.costMicros,
      impression.payoutMicros,
    ]),
  );
  await applyStatsDeltas(tx, deltas);
  await countRefusedClicks(tx, clicks.filter((click) => click.outcome !== 'counted'));
  if (marks.length > 0) await tx.query('INSERT INTO traffic_write_marks (id) SELECT unnest($1::text[])', [marks]);
  await forgetWriteMarks(tx, settledMarks);
}
