import { isMoneyMetric, type CapMetric, type CapPeriod, type PricingSide } from '../offers/offer-rules.ts';
import { formatMoney } from '../shared/money.ts';
import type { FieldDef, ModelDef } from './find.ts';

/** The HasOffers models over Partnerline's tables, field by field (spec §4). */

const s = (sql: string, numeric = false): FieldDef => ({ sql, numeric, out: (value) => (value === null || value === undefined ? null : String(value)) });
const constant = (value: string | null): FieldDef => ({ sql: value === null ? 'NULL::text' : `'${value}'::text`, out: () => value });
const flag = (sql: string): FieldDef => ({ sql: `(CASE WHEN ${sql} THEN '1' ELSE '0' END)`, out: (value) => String(value) });
const money = (sql: string, decimals: number): FieldDef => ({
  sql,
  numeric: true,
  filterSql: `((${sql})::numeric / 1000000)`,
  out: (value) => formatMoney(BigInt((value as bigint | null) ?? 0n), decimals),
});
const money5 = (sql: string) => money(sql, 5);
const money2 = (sql: string) => money(sql, 2);
const percent2 = (sql: string): FieldDef => ({ sql: `to_char((${sql}) / 10000.0, 'FM999990.00')`, numeric: true, out: (value) => String(value) });
/** A datetime in the network's zone, "YYYY-MM-DD HH:MM:SS"; HasOffers' zero date for none. */
const localTime = (sql: string): FieldDef => ({
  sql: `coalesce(to_char((${sql}) AT TIME ZONE n.time_zone, 'YYYY-MM-DD HH24:MI:SS'), '0000-00-00 00:00:00')`,
  out: (value) => String(value),
});
/** use_payout_groups, use_revenue_groups: whether tiers have terms of their own on that side, where `where` holds (alias po). */
const usesTierTerms = (side: PricingSide, where: string) => flag(`EXISTS (SELECT 1 FROM ${side}_overrides po WHERE ${where} AND po.tier_id IS NOT NULL)`);
const unixTime = (sql: string): FieldDef => ({ sql: `extract(epoch FROM ${sql})::int8`, numeric: true, out: (value) => Number(value) });
/** The offer-wide caps HasOffers shows and takes as fields of the offer ("0": no cap). */
export const OFFER_CAPS: Record<string, { metric: CapMetric; period: CapPeriod }> = {
  conversion_cap: { metric: 'conversions', period: 'day' },
  monthly_conversion_cap: { metric: 'conversions', period: 'month' },
  lifetime_conversion_cap: { metric: 'conversions', period: 'lifetime' },
  payout_cap: { metric: 'payout', period: 'day' },
  monthly_payout_cap: { metric: 'payout', period: 'month' },
  lifetime_payout_cap: { metric: 'payout', period: 'lifetime' },
  revenue_cap: { metric: 'revenue', period: 'day' },
  monthly_revenue_cap: { metric: 'revenue', period: 'month' },
  lifetime_revenue_cap: { metric: 'revenue', period: 'lifetime' },
};
const cap = (name: string): FieldDef => {
  const { metric, period } = OFFER_CAPS[name]!;
  const sql = `coalesce((SELECT cap_limit FROM caps c WHERE c.offer_id = o.id AND c.partner_id IS NULL AND c.goal_id IS NULL
                AND c.metric = '${metric}' AND c.period = '${period}'), 0)`;
  return isMoneyMetric(metric) ? money2(sql) : s(sql, true);
};

export const OFFER: ModelDef = {
  name: 'Offer',
  from: 'offers o JOIN advertisers a ON a.id = o.advertiser_id CROSS JOIN network n',
  idSql: 'o.id',
  fields: {
    id: s('o.id', true),
    display_advertiser: constant('1'),
    advertiser_id: s('o.advertiser_id', true),
    name: s('o.name'),
    description: s('o.description'),
    require_approval: flag(`o.visibility <> 'open'`),
    require_terms_and_conditions: { sql: '0', out: () => 0 },
    terms_and_conditions: constant(null),
    preview_url: s('o.preview_url'),
    offer_url: s('o.destination_url'),
    currency: s('trim(o.currency)'),
    default_payout: money5('o.payout_flat_micros'),
    max_payout: money5('o.revenue_flat_micros'),
    protocol: s('o.protocol'),
    status: s('o.status'),
    expiration_date: localTime('o.ends_at'),
    is_private: flag(`o.visibility = 'private'`),
    payout_type: s('o.payout_type'),
    tiered_payout: flag('EXISTS (SELECT 1 FROM volume_payouts vp WHERE vp.offer_id = o.id AND vp.goal_id IS NULL)'),
    tiered_revenue: constant('0'),
    percent_payout: percent2('o.payout_percent_ppm'),
    revenue_type: s('o.revenue_type'),
    max_percent_payout: percent2('o.revenue_percent_ppm'),
    redirect_offer_id: constant('0'),
    converted_offer_type: constant(null),
    converted_offer_id: constant('0'),
    converted_offer_url: constant(null),
    conversion_ratio_threshold: constant('0.00'),
    featured: constant('0000-00-00 00:00:00'),
    is_subscription: constant('0'),
    subscription_duration: constant('0'),
    subscription_frequency: constant('0'),
    customer_list_id: constant('0'),
    ref_id: constant(null),
    rating: constant('0.00'),
    disable_click_macro: constant('0'),
    click_macro_url: constant(null),
    conversion_cap: cap('conversion_cap'),
    monthly_conversion_cap: cap('monthly_conversion_cap'),
    payout_cap: cap('payout_cap'),
    monthly_payout_cap: cap('monthly_payout_cap'),
    revenue_cap: cap('revenue_cap'),
    monthly_revenue_cap: cap('monthly_revenue_cap'),
    target_browsers: constant(null),
    approve_conversions: flag('o.approve_conversions'),
    allow_multiple_conversions: flag('o.allow_multiple_conversions'),
    allow_website_links: flag('o.allow_deep_link'),
    allow_direct_links: constant('0'),
    show_custom_variables: constant('0'),
    session_hours: s('o.attribution_window_hours', true),
    session_impression_hours: constant('24'),
    set_session_on_impression: constant('0'),
    is_seo_friendly_301: constant('0'),
    show_mail_list: constant('0'),
    dne_list_id: constant('0'),
    email_instructions: constant('0'),
    email_instructions_from: constant(''),
    email_instructions_subject: constant(''),
    enforce_geo_targeting: flag('cardinality(o.geo_targeting) > 0'),
    enforce_secure_tracking_link: constant('0'),
    hostname_id: constant('0'),
    has_goals_enabled: flag(`EXISTS (SELECT 1 FROM goals g WHERE g.offer_id = o.id AND g.status = 'active')`),
    default_goal_name: constant(''),
    enforce_encrypt_tracking_pixels: constant('0'),
    modified: unixTime('o.updated_at'),
    enable_offer_whitelist: constant('0'),
    note: constant(null),
    use_target_rules: constant('0'),
    use_payout_groups: usesTierTerms('payout', 'po.offer_id = o.id AND po.goal_id IS NULL'),
    use_revenue_groups: usesTierTerms('revenue', 'po.offer_id = o.id AND po.goal_id IS NULL'),
    website_links_copy_static_params: constant('0'),
    create_date_utc: { sql: `to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`, out: (value) => String(value) },
    lifetime_revenue_cap: cap('lifetime_revenue_cap'),
    lifetime_conversion_cap: cap('lifetime_conversion_cap'),
    lifetime_payout_cap: cap('lifetime_payout_cap'),
    is_expired: flag('o.ends_at IS NOT NULL AND o.ends_at <= now()'),
    dne_download_url: constant(null),
    dne_unsubscribe_url: constant(null),
    dne_third_party_list: { sql: 'false', out: () => false },
  },
};

/** What an affiliate may see of an offer (never the destination, the revenue or the advertiser). */
export const AFFILIATE_OFFER_FIELDS = [
  'id', 'name', 'description', 'require_approval', 'require_terms_and_conditions', 'terms_and_conditions', 'preview_url',
  'currency', 'default_payout', 'percent_payout', 'payout_type', 'protocol', 'status', 'expiration_date', 'is_expired',
  'featured', 'conversion_cap', 'monthly_conversion_cap', 'payout_cap', 'monthly_payout_cap', 'allow_multiple_conversions',
  'allow_website_links', 'allow_direct_links', 'show_custom_variables', 'session_hours', 'show_mail_list', 'dne_list_id',
  'dne_download_url', 'dne_unsubscribe_url', 'dne_third_party_list', 'email_instructions', 'email_instructions_from',
  'email_instructions_subject', 'enforce_secure_tracking_link', 'has_goals_enabled', 'default_goal_name', 'modified',
  'use_target_rules', 'use_payout_groups', 'approval_status',
] as const;

/**
 * What the partner is paid on the offer's default conversion (`alias` o) or on a goal (g): its own
 * terms or its tier's where it has them (partner_payout_terms), else the offer's or goal's.
 */
function partnerPayoutFields(alias: 'o' | 'g', partnerParam: string): Record<string, FieldDef> {
  const terms = alias === 'o' ? 't.offer_id = o.id AND t.goal_id IS NULL' : 't.offer_id = g.offer_id AND t.goal_id = g.id';
  const term = (column: string) =>
    `coalesce((SELECT t.${column} FROM partner_payout_terms t WHERE ${terms} AND t.partner_id = ${partnerParam}), ${alias}.${column})`;
  return {
    payout_type: s(term('payout_type')),
    default_payout: money5(term('payout_flat_micros')),
    percent_payout: percent2(term('payout_percent_ppm')),
  };
}

/** An offer as one affiliate sees it: its own standing and its own payout; `partnerParam` is the affiliate. */
export function affiliateOfferModel(partnerParam: string): ModelDef {
  return {
    ...OFFER,
    fields: {
      ...OFFER.fields,
      ...partnerPayoutFields('o', partnerParam),
      approval_status: s(
        `coalesce((SELECT ap.status FROM approvals ap WHERE ap.offer_id = o.id AND ap.partner_id = ${partnerParam}),
                  CASE WHEN o.visibility = 'open' THEN 'approved' ELSE NULL END)`,
      ),
    },
  };
}

/** Postal details HasOffers accounts carry and Partnerline does not keep. */
const ADDRESS = Object.fromEntries(
  ['address1', 'address2', 'city', 'region', 'country', 'other', 'zipcode', 'phone', 'fax'].map((name) => [name, constant(null)]),
);

export const AFFILIATE: ModelDef = {
  name: 'Affiliate',
  from: 'partners p CROSS JOIN network n',
  idSql: 'p.id',
  fields: {
    id: s('p.id', true),
    account_manager_id: constant('0'),
    company: s('p.name'),
    ...ADDRESS,
    website: s('p.website'),
    signup_ip: constant(null),
    date_added: localTime('p.created_at'),
    status: s('p.status'),
    wants_alerts: constant('0'),
    payment_method: constant('other'),
    method_data: constant(null),
    payment_terms: constant('net 30'),
    w9_filed: constant('0'),
    referral_id: constant('0'),
    affiliate_tier_id: s('coalesce(p.tier_id, 0)', true),
    fraud_activity_score: constant(null),
    fraud_activity_alert_threshold: constant(null),
    fraud_activity_block_threshold: constant(null),
    fraud_profile_alert_threshold: constant(null),
    fraud_profile_block_threshold: constant(null),
    fraud_risk_tier: constant(null),
    scrub_offer_pixels: constant('0'),
    ref_id: constant(null),
    modified: localTime('p.updated_at'),
  },
};

export const ADVERTISER: ModelDef = {
  name: 'Advertiser',
  from: 'advertisers a CROSS JOIN network n',
  idSql: 'a.id',
  fields: {
    id: s('a.id', true),
    company: s('a.name'),
    ...ADDRESS,
    website: s('a.business_url'),
    wants_alerts: constant('0'),
    conversion_security_token: s('a.conversion_security_token'),
    tmp_token: constant(null),
    account_manager_id: constant('0'),
    signup_ip: constant(null),
    date_added: localTime('a.created_at'),
    status: s('a.status'),
    modified: unixTime('a.updated_at'),
    ref_id: constant(null),
    expose_subs: constant('0'),
  },
};

export const GOAL: ModelDef = {
  name: 'Goal',
  from: 'goals g JOIN offers o ON o.id = g.offer_id CROSS JOIN network n',
  idSql: 'g.id',
  fields: {
    id: s('g.id', true),
    offer_id: s('g.offer_id', true),
    name: s('g.name'),
    description: s('g.description'),
    status: s('g.status'),
    is_private: constant('0'),
    payout_type: s('g.payout_type'),
    percent_payout: percent2('g.payout_percent_ppm'),
    default_payout: money5('g.payout_flat_micros'),
    revenue_type: s('g.revenue_type'),
    max_payout: money5('g.revenue_flat_micros'),
    max_percent_payout: percent2('g.revenue_percent_ppm'),
    tiered_payout: flag('EXISTS (SELECT 1 FROM volume_payouts vp WHERE vp.goal_id = g.id)'),
    tiered_revenue: constant('0'),
    use_payout_groups: usesTierTerms('payout', 'po.goal_id = g.id'),
    use_revenue_groups: usesTierTerms('revenue', 'po.goal_id = g.id'),
    advertiser_id: s('o.advertiser_id', true),
    display_advertiser: constant('1'),
    protocol: s('o.protocol'),
    allow_multiple_conversions: flag('g.allow_multiple_conversions'),
    approve_conversions: flag('g.approve_conversions'),
    enforce_encrypt_tracking_pixels: constant('0'),
    is_end_point: constant('0'),
    network_brand_id: constant('0'),
    network_goal_id: constant('0'),
    modified: unixTime('g.created_at'),
    ref_id: constant(null),
  },
};

/** A goal as one affiliate sees it: its own payout, and nothing of the revenue or the advertiser. */
export function affiliateGoalModel(partnerParam: string): ModelDef {
  return { ...GOAL, fields: { ...GOAL.fields, ...partnerPayoutFields('g', partnerParam) } };
}

export const AFFILIATE_GOAL_FIELDS = Object.keys(GOAL.fields).filter(
  (name) => !['revenue_type', 'max_payout', 'max_percent_payout', 'tiered_revenue', 'use_revenue_groups', 'advertiser_id', 'display_advertiser'].includes(name),
);

export const CONVERSION: ModelDef = {
  name: 'Conversion',
  from: 'conversions c LEFT JOIN clicks k ON k.transaction_id = c.transaction_id CROSS JOIN network n',
  idSql: 'c.id',
  fields: {
    id: s('c.id', true),
    tune_event_id: s('c.seq'),
    ad_id: s('c.transaction_id'),
    internal_ad_id: s('c.seq'),
    affiliate_id: s('c.partner_id', true),
    advertiser_id: s('c.advertiser_id', true),
    offer_id: s('c.offer_id', true),
    goal_id: s('coalesce(c.goal_id, 0)', true),
    affiliate_manager_id: constant('0'),
    advertiser_manager_id: constant('0'),
    creative_url_id: s(`coalesce(k.params->>'url_id', '0')`),
    offer_file_id: s(`coalesce(k.params->>'file_id', '0')`),
    ad_campaign_id: constant('0'),
    ad_campaign_creative_id: constant('0'),
    customer_id: constant('0'),
    browser_id: constant('0'),
    source: s('k.source'),
    affiliate_info1: s('k.aff_sub1'),
    affiliate_info2: s('k.aff_sub2'),
    affiliate_info3: s('k.aff_sub3'),
    affiliate_info4: s('k.aff_sub4'),
    affiliate_info5: s('k.aff_sub5'),
    advertiser_info: s('c.adv_sub1'),
    conversion_unique_id: s('c.order_id'),
    datetime: localTime('c.converted_at'),
    session_datetime: { ...localTime('c.click_at'), out: (value) => (value === '0000-00-00 00:00:00' ? null : String(value)) },
    payout: money5('c.payout_micros'),
    revenue: money5('c.revenue_micros'),
    sale_amount: money5('c.sale_amount_micros'),
    payout_type: s('c.payout_type'),
    revenue_type: s('c.revenue_type'),
    currency: s('trim(c.currency)'),
    status: s('c.status'),
    status_code: s('c.status_code', true),
    is_adjustment: flag('c.is_adjustment'),
    ip: s('c.ip'),
    session_ip: s('k.ip'),
    refer: s('k.referrer'),
    pixel_refer: constant(null),
    user_agent: s('c.user_agent'),
    country_code: s(`coalesce(nullif(c.country, ''), 'INT')`),
  },
};

/** An affiliate's approval for an offer. */
export const OFFER_APPROVAL: ModelDef = {
  name: 'AffiliateOffer',
  from: 'approvals ap CROSS JOIN network n',
  idSql: 'ap.id',
  fields: {
    id: s('ap.id', true),
    affiliate_id: s('ap.partner_id', true),
    offer_id: s('ap.offer_id', true),
    approval_status: s('ap.status'),
    agreed_terms_and_conditions: constant(null),
    approval_notes: s('ap.notes'),
    hostname_id: constant('0'),
    modified: localTime('ap.updated_at'),
  },
};

/** The people of an affiliate account; HasOffers splits their names, Partnerline keeps one. */
export const AFFILIATE_USER: ModelDef = {
  name: 'AffiliateUser',
  from: 'users u CROSS JOIN network n',
  idSql: 'u.id',
  fields: {
    id: s('u.id', true),
    affiliate_id: s('u.partner_id', true),
    first_name: s(`split_part(u.name, ' ', 1)`),
    last_name: s(`nullif(substr(u.name, length(split_part(u.name, ' ', 1)) + 2), '')`),
    title: constant(null),
    email: s('u.email'),
    phone: constant(null),
    status: s(`CASE WHEN u.status = 'disabled' THEN 'blocked' ELSE 'active' END`),
    join_date: localTime('u.created_at'),
    modified: localTime('u.created_at'),
  },
};

export const AFFILIATE_TIER: ModelDef = {
  name: 'AffiliateTier',
  from: 'partner_tiers t CROSS JOIN network n',
  idSql: 't.id',
  fields: {
    id: s('t.id', true),
    name: s('t.name'),
    status: constant('active'),
    affiliate_count: s('(SELECT count(*) FROM partners p WHERE p.tier_id = t.id)', true),
    date_created: localTime('t.created_at'),
  },
};

export const OFFER_PIXEL: ModelDef = {
  name: 'OfferPixel',
  from: 'partner_postbacks pp CROSS JOIN network n',
  idSql: 'pp.id',
  fields: {
    id: s('pp.id', true),
    affiliate_id: s('pp.partner_id', true),
    offer_id: s('coalesce(pp.offer_id, 0)', true),
    goal_id: s('pp.goal_id', true),
    type: s('pp.type'),
    code: s('pp.url'),
    status: s(`CASE WHEN pp.status = 'parked' THEN 'active' ELSE pp.status END`),
    modified: localTime('pp.updated_at'),
  },
};

export const OFFER_CATEGORY: ModelDef = {
  name: 'OfferCategory',
  from: 'categories cat CROSS JOIN network n',
  idSql: 'cat.id',
  fields: {
    id: s('cat.id', true),
    name: s('cat.name'),
    status: constant('active'),
    date_created: localTime('n.created_at'),
    date_updated: localTime('n.created_at'),
    offer_count: s(
      `(SELECT count(*) FROM offers o JOIN advertisers a ON a.id = o.advertiser_id WHERE a.category_id = cat.id AND o.status <> 'deleted')`,
      true,
    ),
  },
};
