import { formatMoney, parseMoney } from '../shared/money.ts';
import { addDays, isoInZone, localDateTime, startOfLocalDay } from '../shared/time-zones.ts';
import type { Queryable } from '../store/store.ts';
import { amountOf, reportRows, type HasOffersNetworkAccess } from './hasoffers-client.ts';
import { NotFoundError } from '../shared/errors.ts';
import { hasOffersAccess } from './hasoffers-networks.ts';
import { queueVerifiedSync, syncKey } from './sync-out.ts';

/**
 * A reconciliation: the HasOffers network's conversions of a window, joined with the ledger's by
 * key, then by transaction id, each classified. HasOffers reports amounts to five decimals, so
 * amounts compare at that precision.
 */

export const RECONCILE_CLASSES = [
  'matched',
  'missing_outside',
  'duplicate_outside',
  'superseded_live',
  'status_differs',
  'refused_outside',
  'amounts_differ',
  'attribution_differs',
  'foreign',
] as const;
export type ReconcileClass = (typeof RECONCILE_CLASSES)[number];

/** The classes a repair fixes: each by an ordinary sync task that looks the conversion up there first. */
export const REPAIRABLE: ReconcileClass[] = ['missing_outside', 'duplicate_outside', 'superseded_live', 'status_differs', 'refused_outside', 'amounts_differ', 'attribution_differs'];

export interface Side {
  status: string;
  payout: string;
  revenue: string;
  saleAmount: string;
  offerId: number;
  partnerOrAffiliateId: number;
}

export interface ReconcileItem {
  class: ReconcileClass;
  conversionId: string | null;
  key: string | null;
  externalIds: string[];
  here: Side | null;
  there: Side | null;
}

export interface Reconciliation {
  from: string;
  to: string;
  totals: Record<ReconcileClass, { count: number; payout: string; revenue: string }>;
  items: ReconcileItem[];
  /** Approved conversions, payout and revenue by day, offer and affiliate there (its days), against Report::getStats. */
  cells: { compared: number; differing: CellDifference[] };
}

/** One day's approved figures of an offer and affiliate there. */
export interface CellFigures {
  day: string;
  externalOfferId: number;
  externalAffiliateId: number;
  conversions: number;
  payoutMicros: bigint;
  revenueMicros: bigint;
}

type Figures = { conversions: number; payout: string; revenue: string };

export interface CellDifference {
  day: string;
  externalOfferId: number;
  externalAffiliateId: number;
  here: Figures;
  there: Figures;
}

/** The cells whose figures differ, amounts at HasOffers' five decimals; a cell one side lacks has zeros there. A pure rule. */
export function compareCells(here: CellFigures[], there: CellFigures[]): Reconciliation['cells'] {
  const key = (cell: CellFigures) => `${cell.day}/${cell.externalOfferId}/${cell.externalAffiliateId}`;
  const figures = (cell: CellFigures | undefined): Figures => ({
    conversions: cell?.conversions ?? 0,
    payout: reported(cell?.payoutMicros ?? 0n),
    revenue: reported(cell?.revenueMicros ?? 0n),
  });
  const mine = new Map(here.map((cell) => [key(cell), cell]));
  const theirs = new Map(there.map((cell) => [key(cell), cell]));
  const keys = [...new Set([...mine.keys(), ...theirs.keys()])].sort();
  const differing = keys.flatMap((cell) => {
    const [a, b] = [figures(mine.get(cell)), figures(theirs.get(cell))];
    if (a.conversions === b.conversions && a.payout === b.payout && a.revenue === b.revenue) return [];
    const { day, externalOfferId, externalAffiliateId } = (mine.get(cell) ?? theirs.get(cell))!;
    return [{ day, externalOfferId, externalAffiliateId, here: a, there: b }];
  });
  return { compared: keys.length, differing };
}

export interface LedgerConversion {
  id: string;
  key: string;
  transactionId: string | null;
  status: string;
  superseded: boolean;
  payoutMicros: bigint;
  revenueMicros: bigint;
  saleAmountMicros: bigint;
  externalOfferId: number;
  externalAffiliateId: number | null;
}

export interface ExternalConversion {
  id: string;
  key: string | null;
  transactionId: string | null;
  status: string;
  payoutMicros: bigint;
  revenueMicros: bigint;
  saleAmountMicros: bigint;
  offerId: number;
  affiliateId: number;
}

/** Amounts as HasOffers reports them: to five decimals. */
const reported = (micros: bigint) => formatMoney(micros, 5);

const sideOf = (status: string, row: { payoutMicros: bigint; revenueMicros: bigint; saleAmountMicros: bigint }, offerId: number, otherId: number | null): Side => ({
  status,
  payout: reported(row.payoutMicros),
  revenue: reported(row.revenueMicros),
  saleAmount: reported(row.saleAmountMicros),
  offerId,
  partnerOrAffiliateId: otherId ?? 0,
});

/** Classifies every conversion of the window on either side; a pure rule, so it is tested for all inputs. */
export function classify(ledger: LedgerConversion[], external: ExternalConversion[]): ReconcileItem[] {
  const byKey = new Map<string, ExternalConversion[]>();
  const byTransaction = new Map<string, ExternalConversion[]>();
  for (const row of external) {
    if (row.key) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
    else if (row.transactionId) byTransaction.set(row.transactionId, [...(byTransaction.get(row.transactionId) ?? []), row]);
  }
  const claimed = new Set<string>();
  const items: ReconcileItem[] = [];
  for (const mine of ledger) {
    const theirs = byKey.get(mine.key) ?? (mine.transactionId ? byTransaction.get(mine.transactionId) : undefined) ?? [];
    for (const row of theirs) claimed.add(row.id);
    const wantedStatus = mine.superseded ? 'rejected' : mine.status;
    const live = theirs.filter((row) => row.status !== 'rejected');
    const shown = live[0] ?? theirs[0];
    const here = sideOf(wantedStatus, mine, mine.externalOfferId, mine.externalAffiliateId);
    const there = shown ? sideOf(shown.status, shown, shown.offerId, shown.affiliateId) : null;
    const item = (kind: ReconcileClass) => items.push({ class: kind, conversionId: mine.id, key: mine.key, externalIds: theirs.map((row) => row.id), here, there });
    if (!shown) {
      if (!mine.superseded) item('missing_outside');
      continue;
    }
    if (live.length > 1) item('duplicate_outside');
    else if (mine.superseded && live.length > 0) item('superseded_live');
    else if (there!.offerId !== here.offerId || (mine.externalAffiliateId !== null && there!.partnerOrAffiliateId !== here.partnerOrAffiliateId)) item('attribution_differs');
    else if (there!.status !== here.status) item(there!.status === 'rejected' && here.status === 'approved' ? 'refused_outside' : 'status_differs');
    else if (there!.payout !== here.payout || there!.revenue !== here.revenue || there!.saleAmount !== here.saleAmount) item('amounts_differ');
    else item('matched');
  }
  for (const row of external) {
    if (!claimed.has(row.id)) items.push({ class: 'foreign', conversionId: null, key: row.key, externalIds: [row.id], here: null, there: sideOf(row.status, row, row.offerId, row.affiliateId) });
  }
  return items;
}

export function summarize(from: string, to: string, items: ReconcileItem[], cells: Reconciliation['cells']): Reconciliation {
  const totals = Object.fromEntries(RECONCILE_CLASSES.map((kind) => [kind, { count: 0, payout: 0n, revenue: 0n }])) as Record<ReconcileClass, { count: number; payout: bigint; revenue: bigint }>;
  for (const item of items) {
    const side = item.here ?? item.there!;
    totals[item.class].count += 1;
    totals[item.class].payout += parseMoney(side.payout) ?? 0n;
    totals[item.class].revenue += parseMoney(side.revenue) ?? 0n;
  }
  return {
    from,
    to,
    totals: Object.fromEntries(RECONCILE_CLASSES.map((kind) => [kind, { count: totals[kind].count, payout: reported(totals[kind].payout), revenue: reported(totals[kind].revenue) }])) as Reconciliation['totals'],
    items: items.filter((item) => item.class !== 'matched'),
    cells,
  };
}

/** The ledger's approved conversions that belong there (a linked offer and partner, not superseded), by day there, offer and affiliate. */
async function ledgerCells(db: Queryable, networkId: number, from: Date, to: Date, zone: string): Promise<CellFigures[]> {
  const rows = await db.query<{ day: string; externalOfferId: string; externalAffiliateId: string; conversions: number; payoutMicros: bigint; revenueMicros: bigint }>(
    `SELECT to_char(c.converted_at AT TIME ZONE $4, 'YYYY-MM-DD') AS day, ol.external_offer_id::text AS "externalOfferId",
            pl.external_affiliate_id::text AS "externalAffiliateId", count(*)::int AS conversions,
            sum(c.payout_micros)::int8 AS "payoutMicros", sum(c.revenue_micros)::int8 AS "revenueMicros"
     FROM conversions c JOIN hasoffers_offer_links ol ON ol.hasoffers_network_id = $1 AND ol.offer_id = c.offer_id
       JOIN hasoffers_partner_links pl ON pl.hasoffers_network_id = $1 AND pl.partner_id = c.partner_id
     WHERE c.status = 'approved' AND c.replaced_by_id IS NULL AND c.converted_at >= $2 AND c.converted_at < $3
     GROUP BY 1, 2, 3`,
    [networkId, from, to, zone],
  );
  return rows.map((row) => ({ ...row, externalOfferId: Number(row.externalOfferId), externalAffiliateId: Number(row.externalAffiliateId), payoutMicros: BigInt(row.payoutMicros), revenueMicros: BigInt(row.revenueMicros) }));
}

/** The network's own daily figures of the linked offers, from Report::getStats. */
async function externalCells(access: HasOffersNetworkAccess, offerIds: number[], fromDay: string, toDay: string): Promise<CellFigures[]> {
  if (offerIds.length === 0) return [];
  const rows = await reportRows(access, 'getStats', {
    fields: ['Stat.date', 'Stat.offer_id', 'Stat.affiliate_id', 'Stat.conversions', 'Stat.payout', 'Stat.revenue'],
    filters: { 'Stat.date': { conditional: 'BETWEEN', values: [fromDay, toDay] }, 'Stat.offer_id': { conditional: 'EQUAL_TO', values: offerIds.map(String) } },
    sort: { 'Stat.date': 'asc' },
  });
  return rows
    .map((row) => ({
      day: String(row.date),
      externalOfferId: Number(row.offer_id),
      externalAffiliateId: Number(row.affiliate_id),
      conversions: Number(row.conversions ?? 0),
      payoutMicros: amountOf(row.payout),
      revenueMicros: amountOf(row.revenue),
    }))
    .filter((cell) => cell.conversions !== 0 || cell.payoutMicros !== 0n || cell.revenueMicros !== 0n);
}

/** The ledger's conversions of linked offers converted within the window (local days in the ledger network's zone). */
async function ledgerSide(db: Queryable, networkId: number, from: Date, to: Date): Promise<LedgerConversion[]> {
  const rows = await db.query<Omit<LedgerConversion, 'key' | 'externalOfferId' | 'externalAffiliateId'> & { seq: string; externalOfferId: string; externalAffiliateId: string | null }>(
    `SELECT c.id::text, c.seq::text AS seq, c.transaction_id AS "transactionId", c.status, c.replaced_by_id IS NOT NULL AS superseded,
            c.payout_micros AS "payoutMicros", c.revenue_micros AS "revenueMicros", c.sale_amount_micros AS "saleAmountMicros",
            ol.external_offer_id::text AS "externalOfferId", pl.external_affiliate_id::text AS "externalAffiliateId"
     FROM conversions c JOIN hasoffers_offer_links ol ON ol.hasoffers_network_id = $1 AND ol.offer_id = c.offer_id
       LEFT JOIN hasoffers_partner_links pl ON pl.hasoffers_network_id = $1 AND pl.partner_id = c.partner_id
     WHERE c.converted_at >= $2 AND c.converted_at < $3 ORDER BY c.id`,
    [networkId, from, to],
  );
  return rows.map(({ seq, ...row }) => ({
    ...row,
    key: syncKey(seq),
    externalOfferId: Number(row.externalOfferId),
    externalAffiliateId: row.externalAffiliateId === null ? null : Number(row.externalAffiliateId),
  }));
}

const EXTERNAL_FIELDS = ['Stat.id', 'Stat.advertiser_info', 'Stat.ad_id', 'Stat.status', 'Stat.payout', 'Stat.revenue', 'Stat.sale_amount', 'Stat.offer_id', 'Stat.affiliate_id', 'Stat.datetime'];

/** The network's conversions on the linked offers within the window, read page by page from Report::getConversions in its own zone. */
async function externalSide(access: HasOffersNetworkAccess & { timeZone: string }, offerIds: number[], from: Date, to: Date): Promise<ExternalConversion[]> {
  if (offerIds.length === 0) return [];
  const day = (instant: Date) => isoInZone(instant, access.timeZone).slice(0, 10);
  const rows: ExternalConversion[] = [];
  const stats = await reportRows(access, 'getConversions', {
    fields: EXTERNAL_FIELDS,
    filters: {
      'Stat.date': { conditional: 'BETWEEN', values: [day(from), day(new Date(to.getTime() - 1))] },
      'Stat.offer_id': { conditional: 'EQUAL_TO', values: offerIds.map(String) },
    },
    sort: { 'Stat.id': 'asc' },
  });
  for (const stat of stats) {
    const at = localDateTime(String(stat.datetime), access.timeZone);
    if (at && (at < from || at >= to)) continue;
    rows.push({
      id: String(stat.id),
      key: stat.advertiser_info?.startsWith('pl-') ? stat.advertiser_info : null,
      transactionId: stat.ad_id || null,
      status: String(stat.status),
      payoutMicros: amountOf(stat.payout),
      revenueMicros: amountOf(stat.revenue),
      saleAmountMicros: amountOf(stat.sale_amount),
      offerId: Number(stat.offer_id),
      affiliateId: Number(stat.affiliate_id),
    });
  }
  return rows;
}

/** Runs a reconciliation of the local days from..to (the ledger network's days) and keeps its result. */
export async function reconcile(db: Queryable, networkId: number, from: string, to: string, ledgerZone: string): Promise<Reconciliation & { id: number }> {
  const access = await hasOffersAccess(db, networkId);
  const start = startOfLocalDay(from, ledgerZone);
  const end = startOfLocalDay(addDays(to, 1), ledgerZone);
  const offerIds = (await db.query<{ id: string }>('SELECT external_offer_id::text AS id FROM hasoffers_offer_links WHERE hasoffers_network_id = $1', [networkId])).map((row) => Number(row.id));
  // The totals compare whole days there: the network's days that the window touches.
  const firstDay = isoInZone(start, access.timeZone).slice(0, 10);
  const lastDay = isoInZone(new Date(end.getTime() - 1), access.timeZone).slice(0, 10);
  const cells = compareCells(
    await ledgerCells(db, networkId, startOfLocalDay(firstDay, access.timeZone), startOfLocalDay(addDays(lastDay, 1), access.timeZone), access.timeZone),
    await externalCells(access, offerIds, firstDay, lastDay),
  );
  const result = summarize(from, to, classify(await ledgerSide(db, networkId, start, end), await externalSide(access, offerIds, start, end)), cells);
  const [row] = await db.query<{ id: number }>(
    'INSERT INTO hasoffers_reconciliations (hasoffers_network_id, from_day, to_day, result) VALUES ($1, $2, $3, $4) RETURNING id',
    [networkId, from, to, JSON.stringify(result)],
  );
  return { id: row!.id, ...result };
}

export interface StoredReconciliation extends Reconciliation {
  id: number;
  createdAt: Date;
  repairedAt: Date | null;
}

export async function readReconciliation(db: Queryable, networkId: number, id: number): Promise<StoredReconciliation> {
  const [row] = await db.query<{ id: number; result: Reconciliation; createdAt: Date; repairedAt: Date | null }>(
    `SELECT id, result, created_at AS "createdAt", repaired_at AS "repairedAt" FROM hasoffers_reconciliations WHERE hasoffers_network_id = $1 AND id = $2`,
    [networkId, id],
  );
  if (!row) throw new NotFoundError('reconciliation', id);
  return { id: row.id, createdAt: row.createdAt, repairedAt: row.repairedAt, ...row.result };
}

/** Queues the repairs of a reconciliation: every repairable item, or those of some classes or some conversions. Returns how many were queued. */
export async function repairReconciliation(db: Queryable, networkId: number, id: number, only: { classes?: ReconcileClass[]; conversionIds?: string[] } = {}): Promise<number> {
  const found = await readReconciliation(db, networkId, id);
  const classes = new Set<ReconcileClass>(only.classes ?? REPAIRABLE);
  const conversions = only.conversionIds ? new Set(only.conversionIds) : undefined;
  const ids = found.items
    .filter((item) => REPAIRABLE.includes(item.class) && classes.has(item.class) && item.conversionId !== null && (!conversions || conversions.has(item.conversionId)))
    .map((item) => item.conversionId!);
  const queued = await queueVerifiedSync(db, networkId, [...new Set(ids)]);
  await db.query('UPDATE hasoffers_reconciliations SET repaired_at = now() WHERE id = $1', [id]);
  return queued;
}

/**
 * The daily run: reconciles yesterday (the ledger network's day) on every connected network that
 * has no reconciliation of it yet, and tells the network when something does not match.
 */
export async function reconcileYesterday(db: Queryable, now: Date, ledgerZone: string): Promise<void> {
  const yesterday = addDays(isoInZone(now, ledgerZone).slice(0, 10), -1);
  const due = await db.query<{ id: number; name: string }>(
    `SELECT n.id, n.name FROM hasoffers_networks n
     WHERE NOT EXISTS (SELECT 1 FROM hasoffers_reconciliations r WHERE r.hasoffers_network_id = n.id AND r.from_day = $1 AND r.to_day = $1)
     ORDER BY n.id`,
    [yesterday],
  );
  for (const network of due) {
    const done = await reconcile(db, network.id, yesterday, yesterday, ledgerZone);
    const differences = done.items.length;
    const cells = done.cells.differing.length;
    if (differences > 0 || cells > 0) {
      await db.query(`INSERT INTO notifications (kind, message) VALUES ('hasoffers_reconciliation', $1)`, [
        `Reconciliation ${done.id} of ${yesterday} with ${network.name} found ${differences} conversion(s) and ${cells} daily total(s) that do not match. Read it and apply its repairs.`,
      ]);
    }
  }
}
