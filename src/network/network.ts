import type { Principal } from '../accounts/principal.ts';
import { requireNetworkAdmin } from '../accounts/scope.ts';
import { isCurrency } from '../offers/offer-rules.ts';
import { ValidationError } from '../shared/errors.ts';
import { parsePercentToPpm, ppmToPercent } from '../shared/money.ts';
import { isTimeZone } from '../shared/time-zones.ts';
import { isHttpUrl } from '../shared/urls.ts';
import type { Queryable, Transaction } from '../store/store.ts';
import { MAX_BLOCKED_IPS, normalizeIpRule } from '../traffic-control/ip-rules.ts';
import { MAX_BLOCKED_REFERRERS, normalizeReferrerRule } from '../traffic-control/referrer-rules.ts';

export interface Network {
  id: number;
  name: string;
  timeZone: string;
  currency: string;
  fallbackUrl: string | null;
  cpcPartnerSharePpm: number;
  maintenance: boolean;
  /** Addresses and CIDR ranges whose clicks and impressions are refused. */
  blockedIps: string[];
  /** Host names whose pages may not send clicks or impressions. */
  blockedReferrers: string[];
  /** Counted clicks one address may make in a clock hour; 0 sets no limit. */
  clickLimitPerIpPerHour: number;
  /** A conversion sooner than this after its click is recorded rejected, for review; 0: no minimum. */
  minSecondsToConversion: number;
  /** A conversion on a click judged a bot is recorded rejected, for review. */
  reviewBotConversions: boolean;
}

/** The network's time zone alone: the local days of caps, budgets, volume steps and the daily roll-ups. */
export async function networkTimeZone(db: Queryable): Promise<string> {
  const [network] = await db.query<{ timeZone: string }>('SELECT time_zone AS "timeZone" FROM network');
  return network!.timeZone;
}

/** The store's own name, made when the store was: what its keys in a shared Redis are kept under. */
export async function storeId(db: Queryable): Promise<string> {
  const [network] = await db.query<{ storeId: string }>('SELECT store_id AS "storeId" FROM network');
  return network!.storeId;
}

export async function getNetwork(db: Queryable): Promise<Network> {
  const rows = await db.query<Network>(
    `SELECT id, name, time_zone AS "timeZone", currency, fallback_url AS "fallbackUrl",
            cpc_partner_share_ppm AS "cpcPartnerSharePpm", maintenance, blocked_ips AS "blockedIps", blocked_referrers AS "blockedReferrers",
            click_limit_per_ip_hour AS "clickLimitPerIpPerHour", min_seconds_to_conversion AS "minSecondsToConversion",
            review_bot_conversions AS "reviewBotConversions" FROM network`,
  );
  return rows[0]!;
}

export async function setMaintenance(db: Queryable, on: boolean): Promise<Network> {
  await db.query('UPDATE network SET maintenance = $1, updated_at = now()', [on]);
  return getNetwork(db);
}

/** A day: a longer minimum would reject most honest conversions. */
export const MAX_SECONDS_TO_CONVERSION = 86_400;
/** The store's integer. */
export const MAX_CLICK_LIMIT = 2_147_483_647;

/** The settings an operator changes, as the APIs take them; an absent one stays as it is. */
export interface NetworkChanges {
  name?: string;
  timeZone?: string;
  currency?: string;
  /** null: a refused click with no fallback of its offer's goes nowhere (about:blank). */
  fallbackUrl?: string | null;
  /** The partner's share of a CPC bid, in percent with up to 4 decimals. */
  cpcPartnerSharePercent?: number | string;
  /** The whole list: it replaces the one kept. */
  blockedIps?: string[];
  /** The whole list: it replaces the one kept. */
  blockedReferrers?: string[];
  clickLimitPerIpPerHour?: number;
  minSecondsToConversion?: number;
  reviewBotConversions?: boolean;
}

/** The settings as the APIs show them; the operational ones only to the network. */
export function networkSettings(network: Network, principal: Principal) {
  const shared = { name: network.name, timeZone: network.timeZone, currency: network.currency };
  if (principal.role !== 'network_admin') return shared;
  return {
    ...shared,
    fallbackUrl: network.fallbackUrl,
    cpcPartnerSharePercent: ppmToPercent(network.cpcPartnerSharePpm),
    maintenance: network.maintenance,
    blockedIps: network.blockedIps,
    blockedReferrers: network.blockedReferrers,
    clickLimitPerIpPerHour: network.clickLimitPerIpPerHour,
    minSecondsToConversion: network.minSecondsToConversion,
    reviewBotConversions: network.reviewBotConversions,
  };
}

/** A block list as it is kept: every entry in its one spelling, each once. */
function blockList(field: string, entries: string[], max: number, normalize: (text: string) => string | undefined, what: string): string[] {
  if (entries.length > max) throw new ValidationError(field, `may hold at most ${max} entries`);
  const kept = entries.map((text, index) => {
    const rule = normalize(text);
    if (!rule) throw new ValidationError(`${field}[${index}]`, `must be ${what}`);
    return rule;
  });
  return [...new Set(kept)];
}

/** A count or a number of seconds a setting holds, where 0 turns its rule off. */
function ruleNumber(field: string, value: number, max: number, unit: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new ValidationError(field, `must be a whole number of ${unit} from 0 (none) to ${max}`);
  return value;
}

/**
 * The zone as the store spells it ('america/new_york' is America/New_York), which the runtime
 * accepts too. The store buckets local days in it, and its zone data may lag the runtime's.
 */
async function storedZoneName(db: Queryable, zone: string): Promise<string> {
  if (!isTimeZone(zone)) throw new ValidationError('timeZone', 'must be an IANA time zone such as America/New_York');
  const [known] = await db.query<{ name: string }>(
    'SELECT name FROM pg_timezone_names WHERE lower(name) = lower($1) ORDER BY name = $1 DESC LIMIT 1',
    [zone],
  );
  if (!known) throw new ValidationError('timeZone', `${zone} is not a time zone the database knows`);
  return known.name;
}

/** The columns a change sets, each value checked and in the form it is kept. */
async function columnsFor(db: Queryable, changes: NetworkChanges): Promise<Array<[column: string, value: unknown]>> {
  const columns: Array<[string, unknown]> = [];
  if (changes.name !== undefined) {
    const name = changes.name.trim();
    if (name === '' || name.length > 200) throw new ValidationError('name', 'must be 1 to 200 characters');
    columns.push(['name', name]);
  }
  if (changes.timeZone !== undefined) columns.push(['time_zone', await storedZoneName(db, changes.timeZone)]);
  if (changes.currency !== undefined) {
    if (!isCurrency(changes.currency)) throw new ValidationError('currency', 'must be an ISO 4217 currency code');
    columns.push(['currency', changes.currency]);
  }
  if (changes.fallbackUrl !== undefined) {
    if (changes.fallbackUrl !== null && (!isHttpUrl(changes.fallbackUrl) || changes.fallbackUrl.length > 2048)) {
      throw new ValidationError('fallbackUrl', 'must be an absolute http(s) URL of at most 2048 characters, or null');
    }
    columns.push(['fallback_url', changes.fallbackUrl]);
  }
  if (changes.cpcPartnerSharePercent !== undefined) {
    const ppm = parsePercentToPpm(changes.cpcPartnerSharePercent);
    if (ppm === undefined || ppm < 0 || ppm > 1_000_000) {
      throw new ValidationError('cpcPartnerSharePercent', 'must be a percentage from 0 to 100 with at most 4 decimals');
    }
    columns.push(['cpc_partner_share_ppm', ppm]);
  }
  if (changes.blockedIps !== undefined) {
    columns.push(['blocked_ips', blockList('blockedIps', changes.blockedIps, MAX_BLOCKED_IPS, normalizeIpRule, 'an IP address or a CIDR range such as 203.0.113.0/24')]);
  }
  if (changes.blockedReferrers !== undefined) {
    columns.push([
      'blocked_referrers',
      blockList('blockedReferrers', changes.blockedReferrers, MAX_BLOCKED_REFERRERS, normalizeReferrerRule, 'a host name such as spam.example'),
    ]);
  }
  if (changes.clickLimitPerIpPerHour !== undefined) {
    columns.push(['click_limit_per_ip_hour', ruleNumber('clickLimitPerIpPerHour', changes.clickLimitPerIpPerHour, MAX_CLICK_LIMIT, 'clicks')]);
  }
  if (changes.minSecondsToConversion !== undefined) {
    columns.push(['min_seconds_to_conversion', ruleNumber('minSecondsToConversion', changes.minSecondsToConversion, MAX_SECONDS_TO_CONVERSION, 'seconds')]);
  }
  if (changes.reviewBotConversions !== undefined) columns.push(['review_bot_conversions', changes.reviewBotConversions]);
  return columns;
}

/**
 * Changes the network's settings. The click path caches the fallback URL, the time zone and the
 * address and referrer rules, so the catalog version moves with them; a new time zone moves the local days of
 * the daily roll-ups in this transaction (a trigger rebuilds them). The currency is the default of
 * offers made from now on: amounts already kept stay in the currency they were kept in.
 */
export async function updateNetwork(tx: Transaction, principal: Principal, changes: NetworkChanges): Promise<Network> {
  requireNetworkAdmin(principal);
  const columns = await columnsFor(tx, changes);
  if (columns.length > 0) {
    const assignments = columns.map(([column], index) => `${column} = $${index + 1}`).join(', ');
    await tx.query(
      `UPDATE network SET ${assignments}, catalog_version = catalog_version + 1, updated_at = now()`,
      columns.map(([, value]) => value),
    );
  }
  return getNetwork(tx);
}
