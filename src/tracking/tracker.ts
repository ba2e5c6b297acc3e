import type { SharedCounts } from '../shared/shared-counts.ts';
import { oneAtATime } from '../shared/one-at-a-time.ts';
import { redirectTarget } from '../shared/urls.ts';
import type { PricingSide } from '../offers/offer-rules.ts';
import type { Store } from '../store/store.ts';
import { ipClickKey, isBlockedIp } from '../traffic-control/ip-rules.ts';
import { isBlockedReferrer } from '../traffic-control/referrer-rules.ts';
import { decideClick, reachesOffer, subIdsOf, type ClickOutcome } from './click-rules.ts';
import { clickMacro, type ClickMacroContext } from './click-macros.ts';
import { ClickWriter, type ClickWriterOptions } from './click-writer.ts';
import { isAllowedDeepLink } from './deep-links.ts';
import { IpClickCounts, sharedIpClickCounts } from './ip-click-counts.ts';
import { expandMacros } from './macros.ts';
import { SpendCounters, type CountedTraffic } from './spend-counters.ts';
import { approvalKey, catalogVersion, clickPrice, loadTrackingCatalog, type TrackedOffer, type TrackedPartner, type TrackingCatalog } from './tracking-catalog.ts';
import { unitPrice, type TrafficUnit } from './traffic-prices.ts';
import type { ClickRecord } from './traffic-writes.ts';
import { newTransactionId } from './transaction-ids.ts';
import { sharedFirstVisits, UniqueVisitors } from './unique-visitors.ts';
import type { Visitor } from './visitor.ts';

/** The parameters of a tracking link, as HasOffers names them. */
export interface ClickRequest {
  offerId: number | undefined;
  partnerId: number | undefined;
  source?: string;
  affSubs: Array<string | undefined>;
  affClickId?: string;
  affUniques: Array<string | undefined>;
  urlId?: number;
  fileId?: number;
  deepLink?: string;
  /** Values passed through to the destination's macros (mobile ids and the like). */
  passThrough: Record<string, string>;
  referrer?: string;
  /** A stable id of the browser (cookie), else derived from address and agent. */
  visitorId: string;
}

export interface ClickResult {
  outcome: ClickOutcome;
  /** Where the visitor goes: the offer, or a fallback when the click was refused. */
  location: string;
  transactionId: string;
  offerId: number | undefined;
  sessionHours: number;
}

const CATALOG_POLL_MS = 1_000;
const SPEND_SYNC_MS = 2_000;
const PAST_SPEND_FORGET_MS = 3_600_000;

/**
 * The click path: every decision from memory (the catalog, spend counters, recent visitors), the
 * record handed to the group-commit writer, the answer given at once.
 */
export class Tracker {
  private readonly store: Store;
  readonly writer: ClickWriter;
  private readonly counters = new SpendCounters();
  private readonly uniques = new UniqueVisitors();
  private readonly ipClicks = new IpClickCounts();
  private catalog!: TrackingCatalog;
  private pollTimer: NodeJS.Timeout | undefined;
  private spendTimer: NodeJS.Timeout | undefined;
  /** A background refresh failed; clicks are still decided, from what was last loaded. */
  onError: (task: string, error: unknown) => void = () => {};

  /** With `shared`, processes sharing its Redis settle repeat clicks and each address's clicks together. */
  constructor(store: Store, writerOptions: ClickWriterOptions = { maxBatch: 1000, maxDelayMs: 10 }, shared?: SharedCounts) {
    this.store = store;
    const limitsAddresses = () => (this.catalog?.clickLimitPerIpPerHour ?? 0) > 0;
    const shares = shared ? [sharedFirstVisits(shared), sharedIpClickCounts(shared, this.ipClicks, limitsAddresses)] : [];
    this.writer = new ClickWriter(store, {
      ...writerOptions,
      shareWithOthers:
        shares.length === 0
          ? undefined
          : async (clicks) => {
              await Promise.all(shares.map((share) => share(clicks)));
            },
    });
  }

  async start(): Promise<void> {
    this.catalog = await loadTrackingCatalog(this.store);
    await this.syncSpend();
    this.pollTimer = setInterval(
      () => void this.reloadIfChanged().catch((error) => this.onError('reloading offers and partners for the click path', error)),
      CATALOG_POLL_MS,
    );
    this.pollTimer.unref();
    // Alone on the embedded store, this process's own counts are the whole truth: they are only
    // rid of past days. On a shared server each load starts over, past days gone with it.
    this.spendTimer =
      this.store.kind === 'postgres'
        ? setInterval(
            () => void this.syncSpend().catch((error) => this.onError('reading the budgets and caps other processes spent', error)),
            SPEND_SYNC_MS,
          )
        : setInterval(() => this.counters.forgetPast(new Date(), this.catalog.timeZone), PAST_SPEND_FORGET_MS);
    this.spendTimer.unref();
  }

  /** Budgets and click caps count every process's traffic: reloads the counters from the statistics. */
  readonly syncSpend = oneAtATime(async () => {
    const waiting = this.writer.waiting();
    const unwritten: CountedTraffic[] = [
      ...[...waiting.clicks]
        .filter((click) => click.outcome === 'counted')
        .map((click) => ({ offerId: click.offerId!, partnerId: click.partnerId!, at: click.createdAt, clicks: 1n, costMicros: click.costMicros })),
      ...waiting.impressions.map(({ offerId, partnerId, createdAt, costMicros }) => ({ offerId, partnerId, at: createdAt, clicks: 0n, costMicros })),
    ];
    await this.counters.load(this.store, this.catalog.offers.values(), new Date(), this.catalog.timeZone, unwritten);
  });

  /**
   * Rebuilds the catalog if the store's version moved; cheap when it did not. The counters are
   * loaded again with it: an offer that just gained a budget or cap counts today's traffic from
   * the statistics, and a new time zone has other local days.
   */
  readonly reloadIfChanged = oneAtATime(async () => {
    if ((await catalogVersion(this.store)) === this.catalog.version) return;
    this.catalog = await loadTrackingCatalog(this.store);
    await this.syncSpend();
  });

  get timeZone(): string {
    return this.catalog.timeZone;
  }

  offer(offerId: number): TrackedOffer | undefined {
    return this.catalog.offers.get(offerId);
  }

  /**
   * The checks a click and an impression share: the offer's and partner's standing, the sub-ID's
   * lists and bid factor, the address and referrer lists, targeting, and what the unit costs against the
   * budgets. Click caps and the address's click limit count clicks only; `ipKey` is what a counted
   * click counts against that limit.
   */
  private judge(offer: TrackedOffer, partner: TrackedPartner, source: string | undefined, referrer: string | undefined, visitor: Visitor, now: Date, unit: TrafficUnit) {
    const catalog = this.catalog;
    const subIds = subIdsOf(partner.id, source);
    const bidFactorE4 = subIds.map((subId) => offer.bidFactors.get(subId)).find((factor) => factor !== undefined) ?? 10_000;
    const price = (side: PricingSide) => {
      const { type, flatMicros } = clickPrice(offer, partner, side);
      return unitPrice(type, flatMicros, unit, bidFactorE4);
    };
    const costMicros = price('revenue');
    const payoutMicros = price('payout');
    const limits = this.counters.check(offer, partner.id, now, catalog.timeZone, costMicros);
    const ipKey = unit === 'click' && catalog.clickLimitPerIpPerHour > 0 ? ipClickKey(visitor.ip) : undefined;
    const outcome = decideClick(offer, {
      now,
      partnerStatus: partner.status,
      partnerChannelIds: partner.channelIds,
      approval: catalog.approvals.get(approvalKey(offer.id, partner.id)),
      subIds,
      country: visitor.country,
      device: visitor.device,
      isBot: visitor.isBot,
      bidFactorE4,
      overBudget: limits.overBudget,
      overClickCap: unit === 'click' && limits.overClickCap,
      ipBlocked: catalog.blockedIps !== null && isBlockedIp(catalog.blockedIps, visitor.ip),
      referrerBlocked: catalog.blockedReferrers !== null && isBlockedReferrer(catalog.blockedReferrers, referrer),
      overIpClickLimit: ipKey !== undefined && this.ipClicks.wouldPass(ipKey, now.getTime(), catalog.clickLimitPerIpPerHour),
    });
    return { outcome, subIds, costMicros, payoutMicros, ipKey };
  }

  click(request: ClickRequest, visitor: Visitor, now = new Date()): ClickResult {
    const catalog = this.catalog;
    const offer = request.offerId === undefined ? undefined : catalog.offers.get(request.offerId);
    const partner = request.partnerId === undefined ? undefined : catalog.partners.get(request.partnerId);
    const transactionId = newTransactionId(now.getTime());
    const { outcome, subIds, costMicros, payoutMicros, ipKey } =
      offer && partner
        ? this.judge(offer, partner, request.source, request.referrer, visitor, now, 'click')
        : { outcome: (offer ? 'unknown_partner' : 'unknown_offer') as ClickOutcome, subIds: [], costMicros: 0n, payoutMicros: 0n, ipKey: undefined };

    const counted = outcome === 'counted';
    const isUnique = counted && this.uniques.firstVisit(request.visitorId, offer!.id, partner!.id, now.getTime());
    if (counted) this.counters.add(offer!, partner!.id, now, catalog.timeZone, { clicks: 1n, costMicros });
    if (counted && ipKey !== undefined) this.ipClicks.add(ipKey, now.getTime());

    const location = redirectTarget(
      reachesOffer(outcome) ? this.destination(offer!, request, visitor, transactionId, costMicros) : (offer?.fallbackUrl ?? catalog.networkFallbackUrl ?? 'about:blank'),
    );

    const params: Record<string, string> = { ...request.passThrough };
    request.affUniques.forEach((value, index) => {
      if (value !== undefined) params[`aff_unique${index + 1}`] = value;
    });
    if (request.urlId !== undefined) params.url_id = String(request.urlId);
    if (request.fileId !== undefined) params.file_id = String(request.fileId);
    if (request.deepLink !== undefined) params.url = request.deepLink;

    const record: ClickRecord = {
      transactionId,
      createdAt: now,
      offerId: offer?.id ?? request.offerId ?? null,
      partnerId: partner?.id ?? request.partnerId ?? null,
      outcome,
      isUnique,
      visitorId: request.visitorId,
      source: request.source ?? null,
      affSubs: request.affSubs.map((value) => value ?? null),
      affClickId: request.affClickId ?? null,
      params: Object.keys(params).length > 0 ? params : null,
      subId: subIds[0] ?? null,
      ip: visitor.ip,
      userAgent: visitor.userAgent,
      country: visitor.country,
      device: visitor.device,
      browser: visitor.browser,
      os: visitor.os,
      referrer: request.referrer ?? null,
      landingUrl: location,
      costMicros: counted ? costMicros : 0n,
      payoutMicros: counted ? payoutMicros : 0n,
    };
    this.writer.addClick(record);
    return { outcome, location, transactionId, offerId: offer?.id, sessionHours: offer?.attributionWindowHours ?? 0 };
  }

  /** The URL a click goes to: a permitted deep link, a chosen landing page, or the offer's, macros filled. */
  private destination(offer: TrackedOffer, request: ClickRequest, visitor: Visitor, transactionId: string, costMicros: bigint): string {
    let template = offer.destinationUrl;
    if (request.urlId !== undefined && offer.urls.has(request.urlId)) template = offer.urls.get(request.urlId)!;
    const deepLink = request.deepLink && offer.allowDeepLink && isAllowedDeepLink(request.deepLink, offer.domains) ? request.deepLink : undefined;
    if (deepLink) template = deepLink;
    const context: ClickMacroContext = { offer, request, visitor, transactionId, costMicros, deepLink };
    return expandMacros(template, (name) => clickMacro(context, name));
  }

  /** Counts an impression that passes the click's checks; a CPM offer's costs and pays. Answers whether it counted. */
  impression(
    offerId: number | undefined,
    partnerId: number | undefined,
    request: { source?: string; affSub1?: string; fileId?: number; referrer?: string },
    visitor: Visitor,
    now = new Date(),
  ): boolean {
    const offer = offerId === undefined ? undefined : this.catalog.offers.get(offerId);
    const partner = partnerId === undefined ? undefined : this.catalog.partners.get(partnerId);
    if (!offer || !partner) return false;
    const { outcome, costMicros, payoutMicros } = this.judge(offer, partner, request.source, request.referrer, visitor, now, 'impression');
    if (outcome !== 'counted') return false;
    this.counters.add(offer, partner.id, now, this.catalog.timeZone, { clicks: 0n, costMicros });
    this.writer.addImpression({
      createdAt: now,
      offerId: offer.id,
      partnerId: partner.id,
      source: request.source ?? null,
      affSub1: request.affSub1 ?? null,
      fileId: request.fileId ?? null,
      ip: visitor.ip,
      country: visitor.country,
      device: visitor.device,
      costMicros,
      payoutMicros,
    });
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    clearInterval(this.spendTimer);
    await this.writer.close();
  }
}
