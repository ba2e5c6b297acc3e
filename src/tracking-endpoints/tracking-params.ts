import { parseId } from '../shared/ids.ts';
import { withoutNul } from '../shared/nul-characters.ts';
import { PASS_THROUGH_MACROS } from '../tracking/click-macros.ts';
import type { ClickRequest } from '../tracking/tracker.ts';

/** Reading HasOffers tracking-link parameters, forgivingly: a malformed id is no id. */

/** As the query-string parser leaves it: a bracketed name (`aff_sub[x]=1`) arrives as an object, which no parameter here is. */
export type Query = Record<string, unknown>;

/** The longest value a tracking parameter keeps. */
const MAX_VALUE_LENGTH = 1000;

/** A parameter's whole value as sent: its first, where it is sent twice. */
export function fullText(query: Query, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = query[name];
    const single: unknown = Array.isArray(value) ? value[0] : value;
    // A NUL would fail the batch of clicks or postbacks that stores it; the rest of the value is kept.
    const kept = typeof single === 'string' ? withoutNul(single) : '';
    if (kept !== '') return kept;
  }
  return undefined;
}

/** A parameter's value, cut to MAX_VALUE_LENGTH between two characters, never inside one (an emoji is two code units). */
export function text(query: Query, ...names: string[]): string | undefined {
  const value = fullText(query, ...names);
  if (value === undefined || value.length <= MAX_VALUE_LENGTH) return value;
  const splitsPair = /[\uD800-\uDBFF]/.test(value[MAX_VALUE_LENGTH - 1]!);
  return value.slice(0, splitsPair ? MAX_VALUE_LENGTH - 1 : MAX_VALUE_LENGTH);
}

export function id(query: Query, ...names: string[]): number | undefined {
  const value = text(query, ...names);
  return (value === undefined ? undefined : parseId(value)) || undefined;
}

export function clickRequest(query: Query, visitorId: string, referrer: string | undefined): ClickRequest {
  const passThrough: Record<string, string> = {};
  for (const name of PASS_THROUGH_MACROS) {
    const value = text(query, name);
    if (value !== undefined) passThrough[name] = value;
  }
  return {
    offerId: id(query, 'offer_id'),
    partnerId: id(query, 'aff_id', 'affiliate_id'),
    source: text(query, 'source'),
    affSubs: [
      text(query, 'aff_sub', 'aff_sub1', 'sub1'),
      text(query, 'aff_sub2', 'sub2'),
      text(query, 'aff_sub3', 'sub3'),
      text(query, 'aff_sub4', 'sub4'),
      text(query, 'aff_sub5', 'sub5'),
    ],
    affClickId: text(query, 'aff_click_id'),
    affUniques: [1, 2, 3, 4, 5].map((index) => text(query, `aff_unique${index}`)),
    urlId: id(query, 'url_id'),
    fileId: id(query, 'file_id'),
    deepLink: text(query, 'url'),
    passThrough,
    referrer,
    visitorId,
  };
}
