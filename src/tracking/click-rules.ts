import type { Device, Visibility } from '../offers/offer-rules.ts';
import type { ApprovalStatus } from '../partners/approvals.ts';

/** What became of a click. Only 'counted' clicks enter the statistics and cost money. */
export type ClickOutcome =
  | 'counted'
  | 'bot'
  | 'unknown_offer'
  | 'unknown_partner'
  | 'offer_inactive'
  | 'offer_not_started'
  | 'offer_ended'
  | 'partner_inactive'
  | 'not_approved'
  | 'partner_blocked'
  | 'sub_id_not_allowed'
  | 'sub_id_blocked'
  | 'ip_blocked'
  | 'referrer_blocked'
  | 'channel_not_targeted'
  | 'geo_not_targeted'
  | 'device_not_targeted'
  | 'bid_factor_zero'
  | 'budget_exhausted'
  | 'click_cap_reached'
  | 'ip_click_limit';

/** Each outcome in a sentence, for the person who opened the link to read (a counted click says nothing). */
export const OUTCOME_WORDS: Record<Exclude<ClickOutcome, 'counted'>, string> = {
  bot: 'the visitor looks like a bot or a script (its User-Agent); the click is recorded but not counted. Test with a browser, or send a browser\'s User-Agent',
  unknown_offer: 'there is no such offer',
  unknown_partner: 'there is no such partner',
  offer_inactive: 'the offer is paused',
  offer_not_started: 'the offer has not started yet',
  offer_ended: 'the offer has ended',
  partner_inactive: 'the partner is not active',
  not_approved: 'the partner is not approved for this offer',
  partner_blocked: 'the partner is blocked from this offer',
  sub_id_not_allowed: 'the source (sub-ID) is not on the offer\'s allow list',
  sub_id_blocked: 'the source (sub-ID) is on the offer\'s block list',
  ip_blocked: 'the visitor\'s address is blocked by the network',
  referrer_blocked: 'the page the visitor came from is blocked by the network',
  channel_not_targeted: 'the partner\'s channel is not one the offer takes',
  geo_not_targeted: 'the visitor\'s country is not one the offer takes',
  device_not_targeted: 'the visitor\'s device is not one the offer takes',
  bid_factor_zero: 'the offer bids nothing on this source',
  budget_exhausted: 'the offer\'s budget is spent for now',
  click_cap_reached: 'the offer\'s click cap is reached for now',
  ip_click_limit: 'this address has made more clicks this hour than the network allows',
};

export interface OfferTerms {
  status: string;
  startsAt: Date;
  endsAt: Date | null;
  visibility: Visibility;
  geoTargeting: ReadonlySet<string>;
  deviceTargeting: ReadonlySet<Device>;
  channelIds: ReadonlySet<number>;
  /** Sub-IDs allowed by the allow lists that apply, or null where none applies. */
  allowedSubIds: ReadonlySet<string> | null;
  blockedSubIds: ReadonlySet<string>;
}

export interface ClickFacts {
  now: Date;
  partnerStatus: string;
  partnerChannelIds: ReadonlySet<number>;
  approval: ApprovalStatus | undefined;
  /** The sub-IDs the click answers to, most specific first: "12_blog", "12". */
  subIds: readonly string[];
  country: string;
  device: Device;
  isBot: boolean;
  /** Ten-thousandths; 10000 without a factor. */
  bidFactorE4: number;
  /** Whether this click's cost would go past a budget, or its count past a click cap. */
  overBudget: boolean;
  overClickCap: boolean;
  /** The visitor's address is on the network's block list. */
  ipBlocked: boolean;
  /** The page the visitor came from is on a host the network blocks. */
  referrerBlocked: boolean;
  /** One more counted click from this address would pass the network's hourly limit. */
  overIpClickLimit: boolean;
}

/**
 * Whether a click may go to the offer, in the order a network checks: the offer, the partner's
 * standing, the sub-ID, address and referrer lists, targeting, then money and the address's click rate.
 * Bots pass to the destination uncounted.
 */
export function decideClick(offer: OfferTerms, facts: ClickFacts): ClickOutcome {
  if (offer.status !== 'active') return 'offer_inactive';
  if (facts.now < offer.startsAt) return 'offer_not_started';
  if (offer.endsAt && facts.now >= offer.endsAt) return 'offer_ended';
  if (facts.partnerStatus !== 'active') return 'partner_inactive';
  if (facts.approval === 'blocked' || facts.approval === 'rejected') return 'partner_blocked';
  if (offer.visibility !== 'open' && facts.approval !== 'approved') return 'not_approved';
  if (facts.subIds.some((subId) => offer.blockedSubIds.has(subId))) return 'sub_id_blocked';
  if (offer.allowedSubIds && !facts.subIds.some((subId) => offer.allowedSubIds!.has(subId))) return 'sub_id_not_allowed';
  if (facts.ipBlocked) return 'ip_blocked';
  if (facts.referrerBlocked) return 'referrer_blocked';
  if (offer.channelIds.size > 0 && ![...facts.partnerChannelIds].some((id) => offer.channelIds.has(id))) {
    return 'channel_not_targeted';
  }
  if (offer.geoTargeting.size > 0 && !offer.geoTargeting.has(facts.country)) return 'geo_not_targeted';
  if (offer.deviceTargeting.size > 0 && !offer.deviceTargeting.has(facts.device)) return 'device_not_targeted';
  if (facts.isBot) return 'bot';
  if (facts.bidFactorE4 === 0) return 'bid_factor_zero';
  if (facts.overBudget) return 'budget_exhausted';
  if (facts.overClickCap) return 'click_cap_reached';
  if (facts.overIpClickLimit) return 'ip_click_limit';
  return 'counted';
}

/** Outcomes that still send the visitor to the offer: a counted click, or a bot's uncounted one. */
export function reachesOffer(outcome: ClickOutcome): boolean {
  return outcome === 'counted' || outcome === 'bot';
}

/** The sub-IDs a partner's click answers to in control lists and bid factors. */
export function subIdsOf(partnerId: number, source: string | undefined): string[] {
  return source ? [`${partnerId}_${source}`, String(partnerId)] : [String(partnerId)];
}
