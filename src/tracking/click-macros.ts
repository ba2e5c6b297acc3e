import { formatMoney } from '../shared/money.ts';
import { subIdsOf } from './click-rules.ts';
import { UNKNOWN_MACRO, type MacroValue } from './macros.ts';
import type { ClickRequest } from './tracker.ts';
import type { TrackedOffer } from './tracking-catalog.ts';
import type { Visitor } from './visitor.ts';

/** Device and advertising ids a tracking link passes straight to the destination's macros. */
export const PASS_THROUGH_MACROS: readonly string[] = ['google_aid', 'ios_ifa', 'android_id', 'device_id', 'idfa', 'gaid', 'unid'];

export interface ClickMacroContext {
  offer: TrackedOffer;
  request: ClickRequest;
  visitor: Visitor;
  transactionId: string;
  costMicros: bigint;
  /** The permitted deep link the click goes to, if any. */
  deepLink: string | undefined;
}

/** A destination URL's macro (spec 5.3), worked out only when the URL names it. */
export function clickMacro(context: ClickMacroContext, name: string): MacroValue | typeof UNKNOWN_MACRO {
  const { offer, request, visitor } = context;
  switch (name) {
    case 'transaction_id':
    case 'clickid':
      return context.transactionId;
    case 'affiliate_id':
    case 'aff_id':
      return request.partnerId;
    case 'offer_id':
      return offer.id;
    case 'advertiser_id':
      return offer.advertiserId;
    case 'source':
      return request.source;
    case 'aff_sub':
    case 'aff_sub1':
      return request.affSubs[0];
    case 'aff_sub2':
      return request.affSubs[1];
    case 'aff_sub3':
      return request.affSubs[2];
    case 'aff_sub4':
      return request.affSubs[3];
    case 'aff_sub5':
      return request.affSubs[4];
    case 'sub_id':
      return subIdsOf(request.partnerId!, request.source)[0];
    case 'aff_click_id':
    case 'affiliate_click_id':
      return request.affClickId;
    case 'aff_unique1':
      return request.affUniques[0];
    case 'aff_unique2':
      return request.affUniques[1];
    case 'aff_unique3':
      return request.affUniques[2];
    case 'aff_unique4':
      return request.affUniques[3];
    case 'aff_unique5':
      return request.affUniques[4];
    case 'offer_url_id':
    case 'url_id':
      return request.urlId;
    case 'file_id':
      return request.fileId;
    case 'country_code':
      return visitor.country;
    case 'ip':
      return visitor.ip;
    case 'device':
      return visitor.device;
    case 'ran':
      return Math.random().toString(36).slice(2);
    case 'adv_price':
      return formatMoney(context.costMicros).replace(/\.?0+$/, '');
    case 'traffic_type':
      return 'click';
    case 'oadest':
      return context.deepLink;
    default:
      return PASS_THROUGH_MACROS.includes(name) ? request.passThrough[name] : UNKNOWN_MACRO;
  }
}
