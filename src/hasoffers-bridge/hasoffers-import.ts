import { OPERATOR } from '../accounts/principal.ts';
import { createAdvertiser, findAdvertiser, setAdvertiserStanding, updateAdvertiser } from '../advertisers/advertisers.ts';
import { HasOffersError, type Params } from '../hasoffers/envelope.ts';
import { param } from '../hasoffers/values.ts';
import { applyOfferCaps, goalSettings, offerCaps, offerSettings } from '../hasoffers/record-settings.ts';
import { importConversion, type ImportedConversion, type ImportOutcome } from '../ledger/imported-conversions.ts';
import type { ConversionStatus } from '../ledger/conversion-record.ts';
import { STATUS_CODE } from '../ledger/status-codes.ts';
import { networkTimeZone } from '../network/network.ts';
import { addLandingPage, updateLandingPage } from '../offers/landing-pages.ts';
import { PRICING_TYPES, type PricingType } from '../offers/offer-rules.ts';
import { createGoal, findGoal, updateGoal } from '../offers/offer-terms.ts';
import { createOffer, findOffer, updateOffer } from '../offers/offers.ts';
import { APPROVAL_STATUSES, setApproval, type ApprovalStatus } from '../partners/approvals.ts';
import { createPartner, getPartner, PARTNER_STATUSES, updatePartner, type PartnerStatus } from '../partners/partners.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { parseMoney } from '../shared/money.ts';
import { addDays, isCalendarDate, isTimeZone, localDateTime, startOfLocalDay } from '../shared/time-zones.ts';
import { isHttpUrl } from '../shared/urls.ts';
import { applyStatsDeltas } from '../stats/stats-deltas.ts';
import { SQLSTATE, sqlState, type Queryable, type Store, type Transaction } from '../store/store.ts';
import { findAllRecords, findAllRows, HasOffersCallError, reportRows, type HasOffersNetworkAccess } from './hasoffers-client.ts';

/**
 * Brings a HasOffers network over: its advertisers, affiliates (as partners), offers with their
 * goals, caps and landing pages, approvals, and for a range of days its conversions and daily
 * clicks. Each object made here remembers the other network's id, so running it again updates what
 * changed and makes nothing twice.
 */

export interface ImportRequest extends HasOffersNetworkAccess {
  /** The days whose conversions and statistics come over, in `timeZone`; none without them. */
  from?: string;
  to?: string;
  /** The other network's zone, in which it writes its datetimes: this network's when not given. */
  timeZone?: string;
  /** The other network's tracking domain, once pointed here: its links keep their ids. */
  trackingHost?: string;
}

export const IMPORT_KINDS = ['advertiser', 'partner', 'offer', 'goal', 'offer_url', 'approval', 'conversion', 'statistics'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
type Counts = Record<ImportKind, Record<ImportOutcome, number>>;

export interface ImportProblem {
  kind: ImportKind;
  externalId: string;
  reason: string;
}

export interface HasOffersImport {
  id: number;
  apiUrl: string;
  networkId: string;
  trackingHost: string | null;
  from: string | null;
  to: string | null;
  status: 'running' | 'finished' | 'failed';
  counts: Counts;
  problems: ImportProblem[];
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const SELECT_IMPORT = `
  SELECT i.id, s.api_url AS "apiUrl", s.network_id AS "networkId", s.tracking_host AS "trackingHost",
         to_char(i.from_day, 'YYYY-MM-DD') AS "from", to_char(i.to_day, 'YYYY-MM-DD') AS "to", i.status, i.counts, i.problems, i.error,
         i.started_at AS "startedAt", i.finished_at AS "finishedAt"
  FROM hasoffers_imports i JOIN hasoffers_import_sources s ON s.id = i.source_id`;

export async function listImports(db: Queryable): Promise<HasOffersImport[]> {
  return db.query<HasOffersImport>(`${SELECT_IMPORT} ORDER BY i.id DESC LIMIT 100`);
}

export async function getImport(db: Queryable, id: number): Promise<HasOffersImport> {
  const [found] = await db.query<HasOffersImport>(`${SELECT_IMPORT} WHERE i.id = $1`, [id]);
  if (!found) throw new NotFoundError('HasOffers import', id);
  return found;
}

/** What an import asks for, checked before anything is called or written. */
export function checkedImportRequest(request: ImportRequest): ImportRequest {
  if (!isHttpUrl(request.apiUrl)) throw new ValidationError('apiUrl', 'must be an absolute http(s) URL');
  if (!request.networkId?.trim()) throw new ValidationError('networkId', 'must not be empty');
  if (!request.networkToken?.trim()) throw new ValidationError('networkToken', 'must not be empty');
  if ((request.from === undefined) !== (request.to === undefined)) throw new ValidationError(request.from === undefined ? 'from' : 'to', 'give both from and to, or neither');
  for (const name of ['from', 'to'] as const) {
    if (request[name] !== undefined && !isCalendarDate(request[name]!)) throw new ValidationError(name, 'must be a date, YYYY-MM-DD');
  }
  if (request.from !== undefined && request.from > request.to!) throw new ValidationError('to', 'must not be before from');
  if (request.timeZone !== undefined && !isTimeZone(request.timeZone)) throw new ValidationError('timeZone', 'must be an IANA time zone, such as America/New_York');
  const host = request.trackingHost?.trim().toLowerCase();
  if (host !== undefined && host !== '' && !/^[a-z0-9.-]+(:\d+)?$/.test(host)) throw new ValidationError('trackingHost', 'must be a host name, such as track.example.com');
  return { ...request, apiUrl: request.apiUrl.replace(/\/+$/, ''), networkId: request.networkId.trim(), trackingHost: host || undefined };
}

/** Records an import as running (one of a network at a time) and answers it; `runImport` does the work. */
export async function beginImport(store: Store, request: ImportRequest): Promise<HasOffersImport> {
  const checked = checkedImportRequest(request);
  const id = await store.transaction(async (tx) => {
    const [source] = await tx.query<{ id: number }>(
      `INSERT INTO hasoffers_import_sources (api_url, network_id, tracking_host) VALUES ($1, $2, $3)
       ON CONFLICT (api_url, network_id) DO UPDATE SET tracking_host = coalesce(EXCLUDED.tracking_host, hasoffers_import_sources.tracking_host)
       RETURNING id`,
      [checked.apiUrl, checked.networkId, checked.trackingHost ?? null],
    ).catch((error: unknown) => {
      throw sqlState(error) === SQLSTATE.UNIQUE_VIOLATION ? new ConflictError(`Tracking host ${checked.trackingHost} already serves another imported network`) : error;
    });
    // An import whose process stopped without a word (a crash, on a shared store) no longer holds the network.
    await tx.query(
      `UPDATE hasoffers_imports SET status = 'failed', error = $2, finished_at = now()
       WHERE source_id = $1 AND status = 'running' AND alive_at < now() - make_interval(secs => $3)`,
      [source!.id, INTERRUPTED, SILENT_MS / 1000],
    );
    const [run] = await tx.query<{ id: number }>(
      `INSERT INTO hasoffers_imports (source_id, from_day, to_day, status) VALUES ($1, $2, $3, 'running') ON CONFLICT DO NOTHING RETURNING id`,
      [source!.id, checked.from ?? null, checked.to ?? null],
    );
    if (!run) throw new ConflictError('An import of this network is already running');
    return run.id;
  });
  return getImport(store, id);
}

/** Core errors a record can meet: they say what is wrong with it, and the import goes on without it. */
const isRecordProblem = (error: unknown) =>
  error instanceof ValidationError || error instanceof NotFoundError || error instanceof ConflictError || error instanceof ForbiddenError || error instanceof HasOffersError;

/** Does the work of an import begun with `beginImport`, and records how it ended. */
export async function runImport(store: Store, importId: number, request: ImportRequest, stop?: AbortSignal): Promise<HasOffersImport> {
  const checked = checkedImportRequest(request);
  const [{ sourceId }] = (await store.query<{ sourceId: number }>('SELECT source_id AS "sourceId" FROM hasoffers_imports WHERE id = $1', [importId])) as [{ sourceId: number }];
  const work = new ImportWork(store, sourceId, checked, checked.timeZone ?? (await networkTimeZone(store)), stop);
  // A missed beat is harmless: only two minutes of silence end an import.
  const alive = setInterval(() => void store.query('UPDATE hasoffers_imports SET alive_at = now() WHERE id = $1', [importId]).catch(() => {}), ALIVE_MS);
  try {
    await work.run();
    await store.query(`UPDATE hasoffers_imports SET status = 'finished', counts = $2, problems = $3, finished_at = now() WHERE id = $1`, [
      importId,
      JSON.stringify(work.counts),
      JSON.stringify(work.problems),
    ]);
  } catch (error) {
    // What the other network said is the import's error; the store's own errors stay in the log.
    const said =
      error instanceof HasOffersCallError ? error.message : stop?.aborted ? INTERRUPTED : 'the import stopped on an internal error; see the log';
    await store.query(`UPDATE hasoffers_imports SET status = 'failed', counts = $2, problems = $3, error = $4, finished_at = now() WHERE id = $1`, [
      importId,
      JSON.stringify(work.counts),
      JSON.stringify(work.problems),
      said,
    ]);
    if (!(error instanceof HasOffersCallError) && !stop?.aborted) throw error;
  } finally {
    clearInterval(alive);
  }
  return getImport(store, importId);
}

/** An import an operator waits for (the CLI): begun and run at once. */
export async function importHasOffersNetwork(store: Store, request: ImportRequest): Promise<HasOffersImport> {
  const begun = await beginImport(store, request);
  return runImport(store, begun.id, request);
}

const INTERRUPTED = 'the process stopped during the import; run it again';
/** How often a running import says it is alive, and how long a silent one is taken for stopped. */
const ALIVE_MS = 30_000;
const SILENT_MS = 120_000;

/** Imports that were running when the process stopped did not finish: they are marked so, and can be run again. */
export async function markInterruptedImports(db: Queryable): Promise<void> {
  await db.query(`UPDATE hasoffers_imports SET status = 'failed', error = $1, finished_at = now() WHERE status = 'running'`, [INTERRUPTED]);
}

type HasOffersRecord = Record<string, string | null>;

/** An imported conversion as the other network recorded it, with this network's ids; a string says why it cannot come over. */
export function conversionFromRecord(
  record: HasOffersRecord,
  ids: { offerId: number | undefined; partnerId: number | undefined; goalId: number | null | undefined; advertiserId: number | undefined },
  timeZone: string,
): ImportedConversion | string {
  if (ids.offerId === undefined || ids.advertiserId === undefined) return `its offer ${param(record, 'offer_id')} was not imported`;
  if (ids.partnerId === undefined) return `its affiliate ${param(record, 'affiliate_id')} was not imported`;
  if (ids.goalId === undefined) return `its goal ${param(record, 'goal_id')} was not imported`;
  const status = param(record, 'status');
  if (status !== 'approved' && status !== 'pending' && status !== 'rejected') return `status "${status}" is none of approved, pending, rejected`;
  const convertedAt = localDateTime(param(record, 'datetime') ?? '', timeZone);
  if (!convertedAt) return `datetime "${param(record, 'datetime')}" is no date and time`;
  const amounts: bigint[] = [];
  for (const name of ['sale_amount', 'payout', 'revenue']) {
    const micros = parseMoney(param(record, name) ?? '0');
    if (micros === undefined) return `${name} "${param(record, name)}" is no amount`;
    amounts.push(micros);
  }
  const pricing = (name: string): PricingType => {
    const type = param(record, name);
    return (PRICING_TYPES as readonly string[]).includes(type ?? '') ? (type as PricingType) : 'cpa_flat';
  };
  const statusCode = Number(param(record, 'status_code'));
  const country = param(record, 'country_code') ?? '';
  return {
    offerId: ids.offerId,
    goalId: ids.goalId,
    partnerId: ids.partnerId,
    advertiserId: ids.advertiserId,
    status: status as ConversionStatus,
    statusCode: Number.isInteger(statusCode) && statusCode > 0 ? statusCode : STATUS_CODE.MANUAL,
    currency: (param(record, 'currency') ?? '').toUpperCase(),
    saleAmountMicros: amounts[0]!,
    payoutMicros: amounts[1]!,
    revenueMicros: amounts[2]!,
    payoutType: pricing('payout_type'),
    revenueType: pricing('revenue_type'),
    transactionId: param(record, 'ad_id') || null,
    advSub: param(record, 'advertiser_info') || null,
    ip: param(record, 'ip') || null,
    country: /^[A-Z]{2}$/.test(country) ? country : '',
    convertedAt,
  };
}

/** A record's fields as a write's data[...]: an empty text clears, as null means; other empty fields were not set. */
function attributes(record: HasOffersRecord): Params {
  const clearable = new Set(['description', 'preview_url', 'expiration_date']);
  return Object.fromEntries(Object.entries(record).flatMap(([name, value]) => (value !== null ? [[name, value]] : clearable.has(name) ? [[name, '']] : [])));
}

const ADVERTISER_STANDING: Record<string, 'active' | 'paused' | 'blocked'> = { active: 'active', pending: 'paused', paused: 'paused', blocked: 'blocked', deleted: 'blocked' };

class ImportWork {
  readonly counts = Object.fromEntries(IMPORT_KINDS.map((kind) => [kind, { created: 0, updated: 0, unchanged: 0 }])) as Counts;
  readonly problems: ImportProblem[] = [];
  private readonly store: Store;
  private readonly sourceId: number;
  private readonly request: ImportRequest;
  private readonly timeZone: string;
  private readonly known = new Map<string, Map<string, bigint>>();
  private readonly actor: string;
  private readonly stop: AbortSignal | undefined;
  /** What the approved conversions imported add to each cell of the other network's statistics. */
  private readonly approvedByCell = new Map<string, { payout: bigint; revenue: bigint }>();

  constructor(store: Store, sourceId: number, request: ImportRequest, timeZone: string, stop: AbortSignal | undefined) {
    this.stop = stop;
    this.store = store;
    this.sourceId = sourceId;
    this.request = request;
    this.timeZone = timeZone;
    this.actor = `import:hasoffers:${request.networkId}`;
  }

  async run(): Promise<void> {
    for (const kind of ['advertiser', 'partner', 'offer', 'goal', 'offer_url', 'conversion'] as const) this.known.set(kind, await this.mapping(kind));
    await this.each('advertiser', await findAllRecords(this.request, 'Advertiser', 'Advertiser'), (tx, record, id) => this.advertiser(tx, record, id));
    await this.each('partner', await findAllRecords(this.request, 'Affiliate', 'Affiliate'), (tx, record, id) => this.partner(tx, record, id));
    const offers = await findAllRows(this.request, 'Offer', 'findAll', { contain: ['Goal', 'OfferUrl'] });
    await this.each('offer', offers.map((row) => row.Offer as HasOffersRecord), (tx, record, id) => this.offer(tx, record, id));
    const contained = (model: string) => offers.flatMap((row) => Object.values((row[model] ?? {}) as Record<string, HasOffersRecord>));
    await this.each('goal', contained('Goal'), (tx, record, id) => this.goal(tx, record, id));
    await this.each('offer_url', contained('OfferUrl'), (tx, record, id) => this.offerUrl(tx, record, id));
    const approvals = (await findAllRows(this.request, 'Offer', 'findAllAffiliateApprovals')).map((row) => row.AffiliateOffer as HasOffersRecord);
    await this.each('approval', approvals, (tx, record) => this.approval(tx, record));
    if (this.request.from !== undefined) {
      await this.conversions();
      await this.statistics();
    }
  }

  private async mapping(kind: string): Promise<Map<string, bigint>> {
    const rows = await this.store.query<{ externalId: string; localId: bigint }>(
      'SELECT external_id AS "externalId", local_id AS "localId" FROM hasoffers_imported WHERE source_id = $1 AND kind = $2',
      [this.sourceId, kind],
    );
    return new Map(rows.map((row) => [row.externalId, BigInt(row.localId)]));
  }

  private local(kind: string, externalId: string | null | undefined): number | undefined {
    const id = externalId === null || externalId === undefined ? undefined : this.known.get(kind)?.get(String(externalId));
    return id === undefined ? undefined : Number(id);
  }

  /** Each record in its own transaction: one that cannot come over is reported, and the rest still come. */
  private async each(
    kind: ImportKind,
    records: HasOffersRecord[],
    write: (tx: Transaction, record: HasOffersRecord, localId: number | undefined) => Promise<ImportOutcome | { created: number | bigint }>,
  ): Promise<void> {
    for (const record of records) {
      this.stop?.throwIfAborted();
      const externalId = String(record.id ?? `${record.offer_id}/${record.affiliate_id}`);
      try {
        const outcome = await this.store.transaction(async (tx) => {
          const done = await write(tx, record, this.local(kind, externalId));
          if (typeof done === 'object') {
            await tx.query('INSERT INTO hasoffers_imported (source_id, kind, external_id, local_id) VALUES ($1, $2, $3, $4)', [this.sourceId, kind, externalId, String(done.created)]);
            return { made: BigInt(done.created) };
          }
          return done;
        });
        if (typeof outcome === 'object') {
          this.known.get(kind)?.set(externalId, outcome.made);
          this.counts[kind].created += 1;
        } else this.counts[kind][outcome] += 1;
      } catch (error) {
        if (!isRecordProblem(error)) throw error;
        this.problems.push({ kind, externalId, reason: (error as Error).message });
      }
    }
  }

  private async advertiser(tx: Transaction, record: HasOffersRecord, id: number | undefined) {
    const wanted = { name: param(record, 'company') ?? '', businessUrl: param(record, 'website') ?? '', status: ADVERTISER_STANDING[param(record, 'status') ?? 'active'] ?? 'active' };
    const current = id === undefined ? undefined : await findAdvertiser(tx, id);
    if (!current) {
      const made = await createAdvertiser(tx, OPERATOR, { name: wanted.name, businessUrl: wanted.businessUrl, categoryId: null });
      if (wanted.status !== 'active') await setAdvertiserStanding(tx, OPERATOR, made.id, { status: wanted.status });
      return { created: made.id };
    }
    if (current.name === wanted.name && current.businessUrl === wanted.businessUrl && current.status === wanted.status) return 'unchanged';
    await updateAdvertiser(tx, OPERATOR, current.id, { name: wanted.name, businessUrl: wanted.businessUrl, categoryId: current.categoryId });
    await setAdvertiserStanding(tx, OPERATOR, current.id, { status: wanted.status });
    return 'updated';
  }

  private async partner(tx: Transaction, record: HasOffersRecord, id: number | undefined) {
    const status = param(record, 'status') ?? 'active';
    if (!(PARTNER_STATUSES as readonly string[]).includes(status)) throw new ValidationError('status', `"${status}" is none of ${PARTNER_STATUSES.join(', ')}`);
    const wanted = { name: param(record, 'company') ?? '', website: param(record, 'website') || null, status: status as PartnerStatus };
    if (id === undefined) return { created: (await createPartner(tx, wanted)).id };
    const current = await getPartner(tx, id);
    if (current.name === wanted.name && current.website === wanted.website && current.status === wanted.status) return 'unchanged';
    await updatePartner(tx, id, wanted);
    return 'updated';
  }

  private async offer(tx: Transaction, record: HasOffersRecord, id: number | undefined) {
    const advertiserId = this.local('advertiser', record.advertiser_id);
    if (advertiserId === undefined) throw new NotFoundError('imported advertiser', String(record.advertiser_id));
    const input: Params = { ...attributes(record), advertiser_id: String(advertiserId) };
    const settings = offerSettings(input, this.timeZone);
    const caps = offerCaps(input);
    const current = id === undefined ? undefined : await findOffer(tx, id);
    if (!current) {
      const made = await createOffer(tx, OPERATOR, {
        ...settings,
        advertiserId,
        name: settings.name ?? `Offer ${record.id}`,
        destinationUrl: settings.destinationUrl ?? '',
        payoutType: settings.payoutType ?? 'cpa_flat',
        revenueType: settings.revenueType ?? settings.payoutType ?? 'cpa_flat',
      });
      await applyOfferCaps(tx, made.id, caps);
      return { created: made.id };
    }
    await applyOfferCaps(tx, current.id, caps);
    if (!differs(current, settings)) return 'unchanged';
    await updateOffer(tx, OPERATOR, current.id, settings);
    return 'updated';
  }

  private async goal(tx: Transaction, record: HasOffersRecord, id: number | undefined) {
    const offerId = this.local('offer', record.offer_id);
    if (offerId === undefined) throw new NotFoundError('imported offer', String(record.offer_id));
    const settings = goalSettings(attributes(record));
    if (id === undefined) {
      const made = await createGoal(tx, OPERATOR, offerId, {
        ...settings,
        name: settings.name ?? `Goal ${record.id}`,
        payoutType: settings.payoutType ?? 'cpa_flat',
        revenueType: settings.revenueType ?? settings.payoutType ?? 'cpa_flat',
      });
      return { created: made.id };
    }
    if (!differs(await findGoal(tx, offerId, id), settings)) return 'unchanged';
    await updateGoal(tx, OPERATOR, offerId, id, settings);
    return 'updated';
  }

  private async offerUrl(tx: Transaction, record: HasOffersRecord, id: number | undefined) {
    const offerId = this.local('offer', record.offer_id);
    if (offerId === undefined) throw new NotFoundError('imported offer', String(record.offer_id));
    const wanted = { name: param(record, 'name') ?? '', url: param(record, 'offer_url') ?? '', previewUrl: param(record, 'preview_url') || null };
    if (id === undefined) return { created: (await addLandingPage(tx, OPERATOR, offerId, wanted)).id };
    const [current] = await tx.query<{ name: string; url: string; previewUrl: string | null; status: string }>(
      'SELECT name, url, preview_url AS "previewUrl", status FROM offer_urls WHERE id = $1',
      [id],
    );
    if (current && current.status === 'active' && current.name === wanted.name && current.url === wanted.url && current.previewUrl === wanted.previewUrl) return 'unchanged';
    await updateLandingPage(tx, OPERATOR, offerId, id, wanted);
    return 'updated';
  }

  private async approval(tx: Transaction, record: HasOffersRecord): Promise<ImportOutcome> {
    const offerId = this.local('offer', record.offer_id);
    const partnerId = this.local('partner', record.affiliate_id);
    if (offerId === undefined) throw new NotFoundError('imported offer', String(record.offer_id));
    if (partnerId === undefined) throw new NotFoundError('imported affiliate', String(record.affiliate_id));
    const status = param(record, 'approval_status') ?? '';
    if (!(APPROVAL_STATUSES as readonly string[]).includes(status)) throw new ValidationError('approval_status', `"${status}" is none of ${APPROVAL_STATUSES.join(', ')}`);
    const notes = param(record, 'approval_notes') || null;
    const [current] = await tx.query<{ status: string; notes: string | null }>('SELECT status, notes FROM approvals WHERE offer_id = $1 AND partner_id = $2', [offerId, partnerId]);
    if (current && current.status === status && current.notes === notes) return 'unchanged';
    await setApproval(tx, offerId, partnerId, status as ApprovalStatus, notes);
    return current ? 'updated' : 'created';
  }

  /** The other network's local days from..to, as instants, for its own filters. */
  private window() {
    return { start: `${this.request.from!} 00:00:00`, end: `${addDays(this.request.to!, 1)} 00:00:00` };
  }

  private async conversions(): Promise<void> {
    const { start, end } = this.window();
    const records = await findAllRecords(this.request, 'Conversion', 'Conversion', {
      filters: { datetime: { GREATER_THAN_OR_EQUAL_TO: start, LESS_THAN: end } },
      sort: { id: 'asc' },
    });
    await this.each('conversion', records, async (tx, record, id) => {
      const offerId = this.local('offer', record.offer_id);
      const offer = offerId === undefined ? undefined : await findOffer(tx, offerId);
      const goalId = !record.goal_id || record.goal_id === '0' ? null : this.local('goal', record.goal_id);
      const wanted = conversionFromRecord(record, { offerId, partnerId: this.local('partner', record.affiliate_id), goalId, advertiserId: offer?.advertiserId }, this.timeZone);
      if (typeof wanted === 'string') throw new ValidationError('conversion', wanted);
      if (!wanted.currency) wanted.currency = offer!.currency;
      const done = await importConversion(tx, this.actor, wanted, id === undefined ? undefined : BigInt(id));
      if (wanted.status === 'approved') {
        const cell = cellOf(String(record.datetime).slice(0, 10), record.offer_id, record.affiliate_id);
        const sums = this.approvedByCell.get(cell) ?? { payout: 0n, revenue: 0n };
        this.approvedByCell.set(cell, { payout: sums.payout + wanted.payoutMicros, revenue: sums.revenue + wanted.revenueMicros });
      }
      return done.outcome === 'created' ? { created: done.id } : done.outcome;
    });
  }

  /** Clicks and impressions by day, offer and affiliate, and what clicks paid and earned: the rest of each cell's payout and revenue beyond its approved conversions. */
  private async statistics(): Promise<void> {
    const rows = await reportRows(this.request, 'getStats', {
      fields: ['Stat.date', 'Stat.offer_id', 'Stat.affiliate_id', 'Stat.impressions', 'Stat.gross_clicks', 'Stat.unique_clicks', 'Stat.payout', 'Stat.revenue'],
      filters: { 'Stat.date': { conditional: 'BETWEEN', values: [this.request.from, this.request.to] } },
      sort: { 'Stat.date': 'asc' },
    });
    const records = rows.map((row) => ({ ...row, id: cellOf(row.date, row.offer_id, row.affiliate_id) }));
    await this.each('statistics', records, async (tx, record) => {
      const offerId = this.local('offer', record.offer_id);
      const partnerId = this.local('partner', record.affiliate_id);
      if (offerId === undefined) throw new NotFoundError('imported offer', String(record.offer_id));
      if (partnerId === undefined) throw new NotFoundError('imported affiliate', String(record.affiliate_id));
      const day = String(record.date);
      const approved = this.approvedByCell.get(String(record.id)) ?? { payout: 0n, revenue: 0n };
      const money = (name: string) => {
        const micros = parseMoney(param(record, name) ?? '0');
        if (micros === undefined) throw new ValidationError(name, `"${record[name]}" is no amount`);
        return micros;
      };
      const wanted: Record<TrafficMetric, bigint> = {
        impressions: BigInt(record.impressions ?? 0),
        gross_clicks: BigInt(record.gross_clicks ?? 0),
        unique_clicks: BigInt(record.unique_clicks ?? 0),
        click_payout_micros: money('payout') - approved.payout,
        click_cost_micros: money('revenue') - approved.revenue,
      };
      const [before] = await tx.query<Record<TrafficMetric, bigint>>(
        `SELECT ${TRAFFIC_METRICS.join(', ')} FROM hasoffers_imported_stats WHERE source_id = $1 AND day = $2 AND offer_id = $3 AND partner_id = $4 FOR UPDATE`,
        [this.sourceId, day, offerId, partnerId],
      );
      const metrics = Object.fromEntries(TRAFFIC_METRICS.map((metric) => [metric, wanted[metric] - BigInt(before?.[metric] ?? 0)]));
      if (Object.values(metrics).every((change) => change === 0n)) return 'unchanged';
      await applyStatsDeltas(tx, [{ at: startOfLocalDay(day, this.timeZone), offerId, partnerId, goalId: 0, country: '', device: '', source: '', sub1: '', metrics }]);
      await tx.query(
        `INSERT INTO hasoffers_imported_stats (source_id, day, offer_id, partner_id, ${TRAFFIC_METRICS.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (source_id, day, offer_id, partner_id) DO UPDATE SET ${TRAFFIC_METRICS.map((metric) => `${metric} = EXCLUDED.${metric}`).join(', ')}`,
        [this.sourceId, day, offerId, partnerId, ...TRAFFIC_METRICS.map((metric) => String(wanted[metric]))],
      );
      return before ? 'updated' : 'created';
    });
  }
}

const TRAFFIC_METRICS = ['impressions', 'gross_clicks', 'unique_clicks', 'click_payout_micros', 'click_cost_micros'] as const;
type TrafficMetric = (typeof TRAFFIC_METRICS)[number];

/** A day, offer and affiliate of the other network: one cell of its statistics. */
const cellOf = (day: unknown, offerId: unknown, affiliateId: unknown) => `${day}/${offerId}/${affiliateId}`;

/** Whether settings change what an object holds now: amounts and dates compare by value. */
function differs(current: Record<string, unknown> | object, settings: Record<string, unknown> | object): boolean {
  const now = current as Record<string, unknown>;
  return Object.entries(settings).some(([name, value]) => comparable(now[name]) !== comparable(value));
}

const comparable = (value: unknown) => (value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(',') : value === null || value === undefined ? '' : String(value));
