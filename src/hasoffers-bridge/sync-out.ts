import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { formatMoney } from '../shared/money.ts';
import { isoInZone } from '../shared/time-zones.ts';
import type { Queryable, Store } from '../store/store.ts';
import { amountOf, callHasOffers, HasOffersCallError, RATE_WINDOW_MS } from './hasoffers-client.ts';
import { findHasOffersAccess, NETWORK_IMPORT_SOURCE, type NetworkAccess as Access } from './hasoffers-networks.ts';

/**
 * Sends the ledger into the HasOffers networks its offers are linked to, exactly once. A task says
 * only "look at this conversion": the worker sends what the ledger holds when it runs, so a late
 * task never undoes a newer change. A call whose outcome is unknown is never simply sent again:
 * the next attempt first looks the conversion up by its key and adopts what it finds.
 */

export interface SyncOptions {
  /** Tasks a run takes on; a run takes more while it finds them. */
  batch: number;
  /** First retry delay; each further one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A task is parked after this many failed attempts, and the network told. */
  maxAttempts: number;
  safeguards: Safeguards;
}

/**
 * What keeps the network's copy exact where a plain sync would drift, as TUNE syncs do. Always on;
 * the proofs switch each off to show the discrepancy it prevents.
 */
export interface Safeguards {
  /** A call whose outcome is unknown is followed by a look-up of the key there, never by the call again: no duplicates. */
  lookUpUnknownOutcomes: boolean;
  /** A re-attribution's new revision goes out only once the old one is rejected there: the two are never live together. */
  supersedeFirst: boolean;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  batch: 50,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
  maxAttempts: 10,
  safeguards: { lookUpUnknownOutcomes: true, supersedeFirst: true },
};

/** What the network must hold of a conversion, from the ledger as it stands. */
interface Wanted {
  conversionId: bigint;
  key: string;
  externalOfferId: number | null;
  externalAffiliateId: number | null;
  partnerId: number;
  status: string;
  payoutMicros: bigint;
  revenueMicros: bigint;
  saleAmountMicros: bigint;
  convertedAt: Date;
  /** The revision that took its place after a re-attribution: it is then rejected there, naming it. */
  successorKey: string | null;
  predecessorId: bigint | null;
  /** Imported from this very network: it is there already, as the record it was imported from. */
  cameFromThere: boolean;
}

/** A conversion as the network holds it. */
interface Held {
  externalId: bigint;
  status: string;
  payoutMicros: bigint;
  revenueMicros: bigint;
  saleAmountMicros: bigint;
  /** Where it stands there, when the network said. */
  offerId?: number;
  affiliateId?: number;
}

/** The key a conversion is known by on every network: its ledger GUID, sent as advertiser_info and conversion_unique_id. */
export const syncKey = (seq: string) => `pl-${seq}`;

async function wantedOf(db: Queryable, networkId: number, conversionId: bigint): Promise<Wanted> {
  const [row] = await db.query<Omit<Wanted, 'key' | 'successorKey'> & { seq: string; successorSeq: string | null }>(
    `SELECT c.id AS "conversionId", c.seq::text AS seq, c.partner_id AS "partnerId", c.status, c.payout_micros AS "payoutMicros",
            EXISTS (SELECT 1 FROM ${NETWORK_IMPORT_SOURCE} JOIN hasoffers_imported i ON i.source_id = s.id AND i.kind = 'conversion' AND i.local_id = c.id
                    WHERE n.id = $1) AS "cameFromThere",
            c.revenue_micros AS "revenueMicros", c.sale_amount_micros AS "saleAmountMicros", c.converted_at AS "convertedAt",
            c.replaces_id AS "predecessorId", s.seq::text AS "successorSeq",
            ol.external_offer_id::int8 AS "externalOfferId", pl.external_affiliate_id::int8 AS "externalAffiliateId"
     FROM conversions c LEFT JOIN conversions s ON s.id = c.replaced_by_id
       LEFT JOIN hasoffers_offer_links ol ON ol.hasoffers_network_id = $1 AND ol.offer_id = c.offer_id
       LEFT JOIN hasoffers_partner_links pl ON pl.hasoffers_network_id = $1 AND pl.partner_id = c.partner_id
     WHERE c.id = $2`,
    [networkId, String(conversionId)],
  );
  const { seq, successorSeq, ...wanted } = row!;
  return {
    ...wanted,
    key: syncKey(seq),
    successorKey: successorSeq === null ? null : syncKey(successorSeq),
    externalOfferId: wanted.externalOfferId === null ? null : Number(wanted.externalOfferId),
    externalAffiliateId: wanted.externalAffiliateId === null ? null : Number(wanted.externalAffiliateId),
  };
}

function heldOf(record: Record<string, unknown>): Held {
  return {
    externalId: BigInt(String(record.id)),
    status: String(record.status),
    payoutMicros: amountOf(record.payout),
    revenueMicros: amountOf(record.revenue),
    saleAmountMicros: amountOf(record.sale_amount),
    ...(record.offer_id === undefined ? {} : { offerId: Number(record.offer_id), affiliateId: Number(record.affiliate_id) }),
  };
}

/** This process keeps under HasOffers' 50 calls in 10 seconds per key, so the network need not refuse them. */
const pace = new RateLimiterMemory({ points: 50, duration: RATE_WINDOW_MS / 1000 });

/** One network's calls for one conversion, each logged with its outcome. */
class NetworkCalls {
  readonly access: Access;
  private readonly store: Store;
  private readonly conversionId: bigint;

  constructor(store: Store, access: Access, conversionId: bigint) {
    this.store = store;
    this.access = access;
    this.conversionId = conversionId;
  }

  async call(target: string, method: string, params: Record<string, unknown>): Promise<unknown> {
    await pace.consume(String(this.access.id)).catch((limited: unknown) => {
      if (!(limited instanceof RateLimiterRes)) throw limited;
      throw new HasOffersCallError(`${target}::${method} waits: 50 calls in 10 seconds were made`, false, limited.msBeforeNext);
    });
    // Logged as unknown before it goes: a process that stops mid-call leaves the record that it may have taken effect.
    const [{ id }] = (await this.store.query<{ id: string }>(
      `INSERT INTO hasoffers_sync_calls (hasoffers_network_id, conversion_id, method, params, outcome, duration_ms) VALUES ($1, $2, $3, $4, 'unknown', 0) RETURNING id::text`,
      [this.access.id, String(this.conversionId), `${target}::${method}`, JSON.stringify(params)],
    )) as [{ id: string }];
    const started = performance.now();
    const log = (outcome: string, answer: string) =>
      this.store.query(`UPDATE hasoffers_sync_calls SET outcome = $2, answer = $3, duration_ms = $4 WHERE id = $1`, [
        id,
        outcome,
        answer.slice(0, 2000),
        Math.round(performance.now() - started),
      ]);
    try {
      const data = await callHasOffers(this.access, target, method, params);
      await log('ok', JSON.stringify(data) ?? '');
      return data;
    } catch (error) {
      if (error instanceof HasOffersCallError) await log(error.refused ? 'refused' : 'unknown', error.message);
      throw error;
    }
  }

  /** Every live record of the key there, oldest first. */
  async lookUp(key: string): Promise<Held[]> {
    const data = await this.call('Conversion', 'findAll', {
      filters: { advertiser_info: key },
      fields: ['id', 'status', 'payout', 'revenue', 'sale_amount', 'offer_id', 'affiliate_id'],
      sort: { id: 'asc' },
    });
    return Object.values((data ?? {}) as Record<string, { Conversion: Record<string, unknown> }>).map((row) => heldOf(row.Conversion));
  }
}

const amounts = (wanted: Pick<Wanted, 'payoutMicros' | 'revenueMicros' | 'saleAmountMicros'>) => ({
  payout: formatMoney(wanted.payoutMicros),
  revenue: formatMoney(wanted.revenueMicros),
  sale_amount: formatMoney(wanted.saleAmountMicros),
});

/** Brings one conversion on one network to what the ledger holds; throws HasOffersCallError to be tried again later. */
async function syncConversion(store: Store, access: Access, conversionId: bigint, verify: boolean, safeguards: Safeguards, seen = new Set<bigint>()): Promise<void> {
  seen.add(conversionId);
  const wanted = await wantedOf(store, access.id, conversionId);
  // A re-attribution's new revision goes out only after the old one is rejected there.
  if (safeguards.supersedeFirst && wanted.predecessorId !== null && !seen.has(wanted.predecessorId)) {
    await syncConversion(store, access, wanted.predecessorId, false, safeguards, seen);
  }
  if (wanted.externalOfferId === null || wanted.cameFromThere) return;
  const calls = new NetworkCalls(store, access, conversionId);
  const status = wanted.successorKey === null ? wanted.status : 'rejected';
  const [known] = await store.query<Held>(
    `SELECT external_id AS "externalId", status, payout_micros AS "payoutMicros", revenue_micros AS "revenueMicros", sale_amount_micros AS "saleAmountMicros"
     FROM hasoffers_synced_conversions WHERE hasoffers_network_id = $1 AND conversion_id = $2`,
    [access.id, String(conversionId)],
  );
  // Without its partner's affiliate it could not have gone out: nothing to look up, nothing to send.
  if (!known && !verify && wanted.externalAffiliateId === null) {
    if (wanted.successorKey !== null) return;
    throw new HasOffersCallError(`partner ${wanted.partnerId} is not linked to an affiliate of ${access.name}`, true);
  }
  // Only a create sent before, whose answer was lost, can have made it there: otherwise there is nothing to look up.
  // A repair looks it up whatever the sync thinks is there.
  const [sentBefore] =
    known && !verify
      ? []
      : await store.query(`SELECT 1 FROM hasoffers_sync_calls WHERE hasoffers_network_id = $1 AND conversion_id = $2 AND method = 'Conversion::create' LIMIT 1`, [
          access.id,
          String(conversionId),
        ]);
  const lookUp = verify || (sentBefore !== undefined && safeguards.lookUpUnknownOutcomes);
  let held = known && !verify ? known : lookUp ? await adopt(calls, wanted.key) : undefined;
  if (!held) {
    // A revision replaced before it ever went out need not go out at all.
    if (wanted.successorKey !== null) return;
    if (wanted.externalAffiliateId === null) throw new HasOffersCallError(`partner ${wanted.partnerId} is not linked to an affiliate of ${access.name}`, true);
    held = await create(calls, wanted, status, wanted.key);
  }
  // A repair found it on another offer or affiliate there. HasOffers cannot move a conversion, so it
  // is rejected and made again where it belongs, under a unique id of its own.
  if (verify && wanted.successorKey === null && wanted.externalAffiliateId !== null && held.offerId !== undefined &&
      (held.offerId !== wanted.externalOfferId || held.affiliateId !== wanted.externalAffiliateId)) {
    await calls.call('Conversion', 'updateStatus', {
      id: String(held.externalId),
      status: 'rejected',
      note: `attribution differs: made again on offer ${wanted.externalOfferId}, affiliate ${wanted.externalAffiliateId}`,
    });
    held = await create(calls, wanted, status, `${wanted.key}/${held.externalId}`);
  }
  if (held.status !== status) {
    await calls.call('Conversion', 'updateStatus', {
      id: String(held.externalId),
      status,
      ...(wanted.successorKey === null ? {} : { note: `superseded by ${wanted.successorKey}` }),
    });
  }
  if (held.payoutMicros !== wanted.payoutMicros || held.revenueMicros !== wanted.revenueMicros || held.saleAmountMicros !== wanted.saleAmountMicros) {
    await calls.call('Conversion', 'update', { id: String(held.externalId), data: amounts(wanted) });
  }
  await store.query(
    `INSERT INTO hasoffers_synced_conversions (hasoffers_network_id, conversion_id, external_id, status, payout_micros, revenue_micros, sale_amount_micros)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (hasoffers_network_id, conversion_id) DO UPDATE SET external_id = EXCLUDED.external_id, status = EXCLUDED.status,
       payout_micros = EXCLUDED.payout_micros, revenue_micros = EXCLUDED.revenue_micros, sale_amount_micros = EXCLUDED.sale_amount_micros, synced_at = now()`,
    [access.id, String(conversionId), String(held.externalId), status, wanted.payoutMicros, wanted.revenueMicros, wanted.saleAmountMicros],
  );
}

/**
 * What the network holds of the key, if anything: its first live record, else its first. A second
 * live record there (made by an earlier lost answer) is rejected as a duplicate.
 */
async function adopt(calls: NetworkCalls, key: string): Promise<Held | undefined> {
  const found = await calls.lookUp(key);
  const live = found.filter((held) => held.status !== 'rejected');
  const [first, ...duplicates] = live.length > 0 ? live : found.slice(0, 1);
  for (const duplicate of duplicates) {
    await calls.call('Conversion', 'updateStatus', { id: String(duplicate.externalId), status: 'rejected', note: `duplicate of ${first!.externalId} (${key})` });
  }
  return first;
}

async function create(calls: NetworkCalls, wanted: Wanted, status: string, uniqueId: string): Promise<Held> {
  const data = {
    offer_id: String(wanted.externalOfferId),
    affiliate_id: String(wanted.externalAffiliateId),
    status,
    ...amounts(wanted),
    advertiser_info: wanted.key,
    conversion_unique_id: uniqueId,
    datetime: isoInZone(wanted.convertedAt, calls.access.timeZone).slice(0, 19).replace('T', ' '),
  };
  try {
    const made = (await calls.call('Conversion', 'create', { data })) as { Conversion: Record<string, unknown> };
    return heldOf(made.Conversion);
  } catch (error) {
    // Refused as a duplicate of its own unique id: an earlier attempt made it after all.
    const found = error instanceof HasOffersCallError && error.refused ? await adopt(calls, wanted.key) : undefined;
    if (found) return found;
    throw error;
  }
}

/** Backoff: base, 2×base, 4×base… capped. */
export function syncRetryDelayMs(attempt: number, options: Pick<SyncOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

const LEASE = "interval '5 minutes'";

/** Claims due tasks and brings each conversion up to date; returns how many were done. Safe to run in several processes. */
export async function syncDueTasks(store: Store, options: SyncOptions = DEFAULT_SYNC_OPTIONS): Promise<number> {
  let done = 0;
  // Networks that asked to wait: their tasks were put off together, and this run leaves them alone.
  const waiting: number[] = [];
  for (;;) {
    const claimed = await store.query<{ id: bigint; networkId: number; conversionId: bigint; attempts: number; verify: boolean }>(
      `WITH due AS (SELECT id FROM hasoffers_sync_tasks WHERE status = 'queued' AND next_attempt_at <= now() AND hasoffers_network_id <> ALL($2::int[])
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE hasoffers_sync_tasks t SET next_attempt_at = now() + ${LEASE} FROM due WHERE t.id = due.id
       RETURNING t.id, t.hasoffers_network_id AS "networkId", t.conversion_id AS "conversionId", t.attempts, t.verify`,
      [options.batch, waiting],
    );
    if (claimed.length === 0) return done;
    for (const task of claimed.toSorted((a, b) => (a.id < b.id ? -1 : 1))) {
      if (waiting.includes(task.networkId)) continue;
      const access = await findHasOffersAccess(store, task.networkId);
      try {
        if (access) await syncConversion(store, access, task.conversionId, task.verify, options.safeguards);
        await store.query(`UPDATE hasoffers_sync_tasks SET status = 'done', last_error = NULL, updated_at = now() WHERE id = $1`, [String(task.id)]);
        done += 1;
      } catch (error) {
        if (!(error instanceof HasOffersCallError)) throw error;
        if (error.retryAfterMs === undefined) {
          await failed(store, access!, task, error.message, options);
        } else {
          waiting.push(task.networkId);
          await deferNetwork(store, task.networkId, error.retryAfterMs, claimed.map((claim) => claim.id));
        }
      }
    }
  }
}

/**
 * Puts off every task of a network that is due, or claimed by this run, in one statement, without
 * counting an attempt: nothing failed, the network asked to wait. A backlog of thousands waits
 * for the price of one write, not one each.
 */
async function deferNetwork(store: Store, networkId: number, ms: number, claimed: bigint[]): Promise<void> {
  await store.query(
    `UPDATE hasoffers_sync_tasks SET next_attempt_at = now() + make_interval(secs => $2 / 1000.0), updated_at = now()
     WHERE hasoffers_network_id = $1 AND status = 'queued' AND (next_attempt_at <= now() OR id = ANY($3::int8[]))`,
    [networkId, ms, claimed.map(String)],
  );
}

async function failed(store: Store, access: Access, task: { id: bigint; conversionId: bigint; attempts: number }, error: string, options: SyncOptions): Promise<void> {
  const attempts = task.attempts + 1;
  const park = attempts >= options.maxAttempts;
  await store.transaction(async (tx) => {
    await tx.query(
      `UPDATE hasoffers_sync_tasks SET status = $2, attempts = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5 / 1000.0), updated_at = now() WHERE id = $1`,
      [String(task.id), park ? 'parked' : 'queued', attempts, error, syncRetryDelayMs(attempts, options)],
    );
    if (park) {
      await tx.query(`INSERT INTO notifications (kind, message) VALUES ('hasoffers_sync_parked', $1)`, [
        `Conversion ${task.conversionId} could not be synced to ${access.name} after ${attempts} attempts (last: ${error}). Fix the cause, then replay the sync.`,
      ]);
    }
  });
}

/** Queues every parked task again, at once. */
export async function replayParked(db: Queryable, networkId: number): Promise<number> {
  const rows = await db.query(
    `UPDATE hasoffers_sync_tasks SET status = 'queued', attempts = 0, next_attempt_at = now(), updated_at = now()
     WHERE hasoffers_network_id = $1 AND status = 'parked' RETURNING id`,
    [networkId],
  );
  return rows.length;
}

export interface SyncState {
  queued: number;
  parked: number;
  synced: number;
  /** How long the oldest change still to send has waited, in seconds: how far the sync runs behind the ledger. */
  behindSeconds: number;
  lastError: string | null;
}

/** Where one network's sync stands, or every network's together. */
export async function syncState(db: Queryable, networkId?: number): Promise<SyncState> {
  const [row] = await db.query<SyncState>(
    `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'parked')::int AS parked,
            (SELECT count(*)::int FROM hasoffers_synced_conversions WHERE $1::int IS NULL OR hasoffers_network_id = $1) AS synced,
            coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued')), 0)::int AS "behindSeconds",
            (SELECT last_error FROM hasoffers_sync_tasks WHERE status <> 'done' AND last_error IS NOT NULL AND ($1::int IS NULL OR hasoffers_network_id = $1)
             ORDER BY updated_at DESC LIMIT 1) AS "lastError"
     FROM hasoffers_sync_tasks WHERE status <> 'done' AND ($1::int IS NULL OR hasoffers_network_id = $1)`,
    [networkId ?? null],
  );
  return row!;
}

export interface SyncCall {
  id: string;
  conversionId: string | null;
  method: string;
  params: unknown;
  outcome: string;
  answer: string | null;
  durationMs: number;
  createdAt: Date;
}

/** The sync's calls to one network, newest first. */
export async function syncCalls(db: Queryable, networkId: number, limit: number, conversionId?: string): Promise<SyncCall[]> {
  return db.query<SyncCall>(
    `SELECT id::text, conversion_id::text AS "conversionId", method, params, outcome, answer, duration_ms AS "durationMs", created_at AS "createdAt"
     FROM hasoffers_sync_calls WHERE hasoffers_network_id = $1 AND ($3::int8 IS NULL OR conversion_id = $3::int8) ORDER BY id DESC LIMIT $2`,
    [networkId, limit, conversionId ?? null],
  );
}

/** Queues the conversions for a sync that looks each up there first: a reconciliation's repair. */
export async function queueVerifiedSync(db: Queryable, networkId: number, conversionIds: string[]): Promise<number> {
  const rows = await db.query(
    `INSERT INTO hasoffers_sync_tasks (hasoffers_network_id, conversion_id, verify) SELECT $1, id, true FROM unnest($2::int8[]) id
     ON CONFLICT (hasoffers_network_id, conversion_id) WHERE status <> 'done'
     DO UPDATE SET verify = true, status = 'queued', attempts = 0, next_attempt_at = now(), updated_at = now() RETURNING id`,
    [networkId, conversionIds],
  );
  return rows.length;
}
