import { AMOUNT_FORM } from '../shared/money.ts';
import { PASS_THROUGH_MACROS } from '../tracking/click-macros.ts';

/**
 * The tracking endpoints as the API document describes them. Their parameters are documented, not
 * validated: a tracking link must always send the visitor on, and a postback must answer in
 * HasOffers' own words, so a bad value is a recorded outcome (a refused click, a refused
 * conversion with its status code), never an HTTP 400.
 */
const documentedOnly = { validatorCompiler: () => () => true };

const TAGS = ['Tracking (HasOffers)'];

const text = (description: string) => ({ type: 'string', description });
const query = (properties: Record<string, object>) => ({ type: 'object', properties });

/** `name${first}` … `name5`: HasOffers numbers its sub-IDs and unique values up to 5. */
const numbered = (name: string, first: number, description: (index: number) => string) =>
  Object.fromEntries([1, 2, 3, 4, 5].filter((index) => index >= first).map((index) => [`${name}${index}`, text(description(index))]));

const PARTNER = {
  offer_id: text('The offer. Without a known one, the click is refused and sent to the fallback URL'),
  aff_id: text('The partner (also affiliate_id)'),
  source: text("The partner's traffic source; with aff_id it forms the SourceKnowledge sub-ID"),
};

const CLICK_QUERY = query({
  ...PARTNER,
  aff_sub: text("The partner's first sub-ID (also aff_sub1, sub1)"),
  ...numbered('aff_sub', 2, (index) => `The partner's sub-ID ${index} (also sub${index})`),
  aff_click_id: text("The partner's own click id, for its postbacks"),
  ...numbered('aff_unique', 1, () => 'A value the partner passes and gets back in its postbacks'),
  url_id: text('One of the offer\'s alternative landing pages'),
  file_id: text('The creative clicked'),
  url: text("A deep link: followed only when the offer allows deep links, and only to the advertiser's own domains"),
  ...Object.fromEntries(PASS_THROUGH_MACROS.map((name) => [name, text(`Passed to the destination's {${name}} macro`)])),
});

const REDIRECT = {
  302: {
    type: 'null',
    description:
      "To the offer's destination with its macros filled in, or, for a refused click, to the offer's fallback URL, " +
      "else the network's. Sets the visitor cookie and the offer's session cookie, which /aff_l reads.",
    headers: {
      Location: text('Where the visitor goes'),
      'X-Partnerline-Click': text('counted, bot (sent on but not counted), or why the click was refused'),
    },
  },
};

const CONVERSION_QUERY = (extra: Record<string, object>) =>
  query({
    goal_id: text("One of the offer's goals; 0 or none is the offer's own conversion, and a value that is no id is refused"),
    goal_name: text("One of the offer's goals, by name"),
    ...extra,
    amount: text(`The sale amount, ${AMOUNT_FORM} (also sale_amount); percentage payouts are computed from it`),
    adv_sub: text("The advertiser's first sub-ID (also adv_sub1)"),
    ...numbered('adv_sub', 2, (index) => `The advertiser's sub-ID ${index}`),
    order_id: text('The order: one conversion per order and offer'),
    status: { type: 'string', enum: ['approved', 'pending', 'rejected'], description: "The conversion's status, when the advertiser sets it" },
    security_token: text("The advertiser's conversion security token, when the network requires one"),
    format: { type: 'string', enum: ['json'], description: 'Answer in JSON instead of success=true; / success=false;' },
  });

const CONVERSION_RESULT = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    conversion_id: { type: 'string' },
    status: { type: 'string' },
    status_code: { type: 'integer', description: "HasOffers' conversion status code (12 duplicate, 18 duplicate order, 19 invalid token…)" },
    reason: { type: 'string' },
  },
};

const CONVERSION_HEADERS = {
  'X-Partnerline-Conversion-Id': text('The conversion made, or the one a retry found'),
  'X-Partnerline-Status-Code': text("HasOffers' conversion status code"),
  'X-Partnerline-Reason': text('Why a conversion was refused'),
};

const conversionAnswer = (body: string, types: string[]) => ({
  200: {
    description: `${body}. A retry of a conversion answers the conversion already made, and creates nothing.`,
    headers: CONVERSION_HEADERS,
    content: {
      ...Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' } }])),
      'application/json': { schema: CONVERSION_RESULT },
    },
  },
});

const SERVER_POSTBACK = conversionAnswer('success=true; or success=false; (JSON with format=json)', ['text/plain']);
const PIXEL = conversionAnswer('A 1x1 GIF (JSON with format=json)', ['image/gif']);
const GOAL = conversionAnswer('As /aff_l for a=l, as /aff_lsr otherwise', ['text/plain', 'image/gif']);

export const TRACKING_DOCS = {
  click: {
    ...documentedOnly,
    schema: { tags: TAGS, summary: 'A click on a tracking link: checked, recorded and redirected', querystring: CLICK_QUERY, response: REDIRECT },
  },
  shortLink: {
    ...documentedOnly,
    schema: {
      tags: TAGS,
      summary: 'A click on a short tracking link (POST /api/v1/tracking-links makes them); answers as /aff_c',
      params: { type: 'object', properties: { code: text('The short link') } },
      querystring: CLICK_QUERY,
      response: { ...REDIRECT, 404: { description: 'No such link', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  impression: {
    ...documentedOnly,
    schema: {
      tags: TAGS,
      summary: 'An impression of a creative',
      description:
        'Counted where a click would be (offer, partner, lists, targeting, budget; bots are not counted). On a CPM offer it costs ' +
        "the offer's rate per thousand, times the sub-ID's bid factor, rounded down to the micro. Always answers the GIF.",
      querystring: query({ ...PARTNER, aff_sub: text("The partner's first sub-ID"), file_id: text('The creative shown') }),
      response: { 200: { description: 'A 1x1 GIF', content: { 'image/gif': { schema: { type: 'string' } } } } },
    },
  },
  serverPostback: {
    ...documentedOnly,
    schema: {
      tags: TAGS,
      summary: "The advertiser's server postback: a conversion, by transaction_id or by offer_id and aff_id",
      querystring: CONVERSION_QUERY({ transaction_id: text('The click, from the {transaction_id} macro'), ...PARTNER }),
      response: SERVER_POSTBACK,
    },
  },
  pixel: {
    ...documentedOnly,
    schema: {
      tags: TAGS,
      summary: "The advertiser's conversion pixel: the click is the offer's session cookie, else transaction_id",
      querystring: CONVERSION_QUERY({ offer_id: PARTNER.offer_id, transaction_id: text('The click, when the cookie is not there') }),
      response: PIXEL,
    },
  },
  goal: {
    ...documentedOnly,
    schema: {
      tags: TAGS,
      summary: "A conversion on one of the offer's goals, as a pixel (a=l) or a server postback (a=lsr)",
      querystring: CONVERSION_QUERY({
        a: { type: 'string', enum: ['l', 'lsr'], description: 'l: pixel (GIF answer); lsr: server postback' },
        goal_id: text('The goal (or goal_name)'),
        goal_name: text('The goal, by name'),
        transaction_id: text('The click'),
        ...PARTNER,
      }),
      response: GOAL,
    },
  },
};
