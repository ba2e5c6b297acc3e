import { parseArgs } from 'node:util';
import { getKey, issueKey, listKeys, revokeKey, rotateKey } from '../accounts/api-keys.ts';
import { OPERATOR, ROLES, type Role } from '../accounts/principal.ts';
import { createUser, findUserByEmail, listUsers } from '../accounts/users.ts';
import { issueLinkToken, linkUrl } from '../accounts/account-links.ts';
import { demoAccountLines, ensureDemoNetwork } from '../demo/demo-network.ts';
import { HasOffersCallError } from '../hasoffers-bridge/hasoffers-client.ts';
import { IMPORT_KINDS, importHasOffersNetwork } from '../hasoffers-bridge/hasoffers-import.ts';
import { reconcile, repairReconciliation } from '../hasoffers-bridge/reconcile.ts';
import { getNetwork, networkSettings, updateNetwork } from '../network/network.ts';
import { createTier, getTier, listTiers, removePartnerFromTier, removeTier, renameTier, setPartnerTier, type PartnerTier } from '../partners/partner-tiers.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { parseId } from '../shared/ids.ts';
import { isCalendarDate } from '../shared/time-zones.ts';
import type { Store } from '../store/store.ts';

/** What a command may touch: the store, and the maintenance switch of the process running it. */
export interface CommandContext {
  store: Store;
  /** The NetworkId HasOffers clients send, from the configuration. */
  hasOffersNetworkId: string;
  /** The portal's address, for the links the CLI prints. */
  publicUrl: string;
  setMaintenance(on: boolean): Promise<void>;
}

export interface CommandOutput {
  /** For scripts (`--json`). */
  json: unknown;
  /** For people. */
  text: string;
}

export class CommandError extends Error {}

export const USAGE = `Usage: npm run cli -- <command> [--json]

  demo                                   create the demo network if absent; print its accounts and keys
  user create --email E --name N --role R [--advertiser ID | --partner ID | --agency ID]
                                         roles: ${ROLES.join(', ')}
  user list
  user reset-link EMAIL                  print a fresh password reset link (for when no email can go out)
  key create --account USER_ID [--name NAME]   make a key; it is shown once
  key list [--account USER_ID]
  key rotate KEY_ID                      replace a key; the old one stops at once
  key revoke KEY_ID
  maintenance on|off|status              APIs answer 503 while on; tracking goes on
  network show                           the network's settings
  network set [--name N] [--time-zone Z] [--currency C] [--fallback-url URL] [--cpc-partner-share PERCENT]
              [--blocked-ips IP,CIDR,...] [--blocked-referrers HOST,...] [--click-limit-per-ip N]
              [--min-seconds-to-conversion S] [--review-bot-conversions on|off]
                                         change them; --fallback-url=, --blocked-ips= and --blocked-referrers= (empty) clear,
                                         --click-limit-per-ip 0 and --min-seconds-to-conversion 0 remove them
  tier list                              payout tiers and their partners
  tier create --name N
  tier rename TIER_ID --name N
  tier remove TIER_ID                    only a tier without partners; its payouts go with it
  tier add TIER_ID --partner ID          put the partner in the tier (it leaves any other)
  tier drop TIER_ID --partner ID         take the partner out of the tier
  hasoffers reconcile NETWORK_ID --from DAY --to DAY [--repair]
                                         reconcile a connected HasOffers network's conversions of those days (your
                                         network's local days) with the ledger; --repair queues every repair
  import hasoffers --url URL --network-id ID --token TOKEN [--from DAY --to DAY] [--time-zone Z] [--tracking-host HOST]
                                         bring a HasOffers network over: advertisers, affiliates, offers, goals, landing
                                         pages, approvals, and the conversions and daily clicks of those days (the other
                                         network's days, in --time-zone, yours when not given); safe to run again`;

const OPTIONS = {
  json: { type: 'boolean' },
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  advertiser: { type: 'string' },
  partner: { type: 'string' },
  agency: { type: 'string' },
  account: { type: 'string' },
  'time-zone': { type: 'string' },
  currency: { type: 'string' },
  'fallback-url': { type: 'string' },
  'cpc-partner-share': { type: 'string' },
  'blocked-ips': { type: 'string' },
  'blocked-referrers': { type: 'string' },
  'click-limit-per-ip': { type: 'string' },
  'min-seconds-to-conversion': { type: 'string' },
  'review-bot-conversions': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  repair: { type: 'boolean' },
  url: { type: 'string' },
  'network-id': { type: 'string' },
  token: { type: 'string' },
  'tracking-host': { type: 'string' },
} as const;

function id(value: string | undefined, what: string): number {
  const parsed = value === undefined ? undefined : parseId(value);
  if (!parsed) throw new CommandError(`${what} must be a positive whole number`);
  return parsed;
}

function optionalId(value: string | undefined, what: string): number | undefined {
  return value === undefined ? undefined : id(value, what);
}

function table(rows: Array<Record<string, unknown>>): string {
  return rows.map((row) => Object.entries(row).map(([key, value]) => `${key}=${value ?? '-'}`).join('  ')).join('\n') || '(none)';
}

/** A comma-separated option as a list; empty clears it. */
function listOption(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((entry) => entry.trim()).filter(Boolean);
}

function tierOutput(tier: PartnerTier, done: string): CommandOutput {
  return { json: tier, text: `${done}: tier ${tier.id} ${tier.name}, partners ${tier.partnerIds?.join(', ') || '(none)'}` };
}

function networkOutput(settings: Record<string, unknown>): CommandOutput {
  const shown = (value: unknown) => (Array.isArray(value) ? value.join(', ') || '(none)' : (value ?? '-'));
  return { json: settings, text: Object.entries(settings).map(([key, value]) => `${key}: ${shown(value)}`).join('\n') };
}

export async function runCommand(context: CommandContext, args: string[]): Promise<CommandOutput> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CommandError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  try {
    return await dispatch(context, positionals, values);
  } catch (error) {
    if (error instanceof ValidationError || error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof ConflictError) {
      throw new CommandError(error.message);
    }
    throw error;
  }
}

async function dispatch(
  { store, setMaintenance, hasOffersNetworkId, publicUrl }: CommandContext,
  [command, subcommand, argument]: string[],
  values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string },
): Promise<CommandOutput> {
  switch (`${command ?? ''} ${command === 'demo' ? '' : (subcommand ?? '')}`.trim()) {
    case 'demo': {
      const demo = await ensureDemoNetwork(store);
      const head = demo.created ? 'Created the demo network.' : 'The demo network exists.';
      return {
        json: { ...demo, hasOffersNetworkId },
        text: `${head} HasOffers clients send NetworkId=${hasOffersNetworkId}.\n${demoAccountLines(demo).join('\n')}\noffers ${demo.offerIds.join(', ')}; partners ${demo.partnerIds.join(', ')}`,
      };
    }
    case 'user create': {
      const role = values.role as Role;
      const user = await store.transaction((tx) =>
        createUser(tx, {
          email: values.email ?? '',
          name: values.name ?? values.email ?? '',
          role,
          advertiserId: optionalId(values.advertiser, '--advertiser'),
          partnerId: optionalId(values.partner, '--partner'),
          agencyId: optionalId(values.agency, '--agency'),
        }),
      );
      return { json: user, text: `Created user ${user.id} (${user.role}) ${user.email}` };
    }
    case 'user list': {
      const users = await listUsers(store);
      return { json: users, text: table(users.map(({ id, role, email, status }) => ({ id, role, email, status }))) };
    }
    case 'user reset-link': {
      const user = await findUserByEmail(store, argument ?? '');
      if (!user) throw new CommandError(`No user has the email ${argument ?? '(none given)'}`);
      const link = linkUrl(publicUrl, 'password_reset', await issueLinkToken(store, user.id, 'password_reset'));
      return { json: { userId: user.id, email: user.email, link }, text: `Password reset link for ${user.email} (works for 1 hour, once):\n${link}` };
    }
    case 'key create': {
      const key = await issueKey(store, id(values.account, '--account'), values.name ?? 'default');
      return { json: key, text: `Key ${key.id} for user ${key.userId}: ${key.key}\nIt is shown only now; store it safely.` };
    }
    case 'key list': {
      const keys = await listKeys(store, optionalId(values.account, '--account'));
      return { json: keys, text: table(keys.map(({ id, userId, name, prefix, lastUsedAt, revokedAt }) => ({ id, user: userId, name, prefix, lastUsedAt: lastUsedAt?.toISOString(), revokedAt: revokedAt?.toISOString() }))) };
    }
    case 'key revoke': {
      const key = await revokeKey(store, id(argument, 'KEY_ID'));
      return { json: key, text: `Key ${key.id} is revoked.` };
    }
    case 'key rotate': {
      const keyId = id(argument, 'KEY_ID');
      await getKey(store, keyId);
      const key = await store.transaction((tx) => rotateKey(tx, keyId));
      return { json: key, text: `Key ${keyId} is replaced by key ${key.id}: ${key.key}\nIt is shown only now; store it safely.` };
    }
    case 'maintenance on':
    case 'maintenance off':
      await setMaintenance(subcommand === 'on');
      return { json: { maintenance: subcommand === 'on' }, text: `Maintenance is ${subcommand}.` };
    case 'maintenance status': {
      const { maintenance } = await getNetwork(store);
      return { json: { maintenance }, text: `Maintenance is ${maintenance ? 'on' : 'off'}.` };
    }
    case 'network show':
      return networkOutput(networkSettings(await getNetwork(store), OPERATOR));
    case 'network set': {
      const fallbackUrl = values['fallback-url'];
      const wholeNumber = (option: 'click-limit-per-ip' | 'min-seconds-to-conversion') => {
        const value = values[option];
        if (value !== undefined && !/^\d{1,10}$/.test(value)) throw new CommandError(`--${option} must be a whole number`);
        return value === undefined ? undefined : Number(value);
      };
      const onOff = (option: 'review-bot-conversions') => {
        const value = values[option];
        if (value !== undefined && value !== 'on' && value !== 'off') throw new CommandError(`--${option} must be on or off`);
        return value === undefined ? undefined : value === 'on';
      };
      const changes = {
        name: values.name,
        timeZone: values['time-zone'],
        currency: values.currency,
        fallbackUrl: fallbackUrl === '' ? null : fallbackUrl,
        cpcPartnerSharePercent: values['cpc-partner-share'],
        blockedIps: listOption(values['blocked-ips']),
        blockedReferrers: listOption(values['blocked-referrers']),
        clickLimitPerIpPerHour: wholeNumber('click-limit-per-ip'),
        minSecondsToConversion: wholeNumber('min-seconds-to-conversion'),
        reviewBotConversions: onOff('review-bot-conversions'),
      };
      if (Object.values(changes).every((value) => value === undefined)) throw new CommandError(`network set: name a setting to change\n\n${USAGE}`);
      return networkOutput(networkSettings(await store.transaction((tx) => updateNetwork(tx, OPERATOR, changes)), OPERATOR));
    }
    case 'tier list': {
      const tiers = await listTiers(store, OPERATOR);
      return { json: tiers, text: table(tiers.map(({ id, name, partnerIds }) => ({ id, name, partners: partnerIds?.join(',') || null }))) };
    }
    case 'tier create':
      return tierOutput(await store.transaction((tx) => createTier(tx, OPERATOR, values.name ?? '')), 'Created');
    case 'tier rename':
      return tierOutput(await store.transaction((tx) => renameTier(tx, OPERATOR, id(argument, 'TIER_ID'), values.name ?? '')), 'Renamed');
    case 'tier remove':
      return tierOutput(await store.transaction((tx) => removeTier(tx, OPERATOR, id(argument, 'TIER_ID'))), 'Removed');
    case 'tier add':
    case 'tier drop': {
      const tierId = id(argument, 'TIER_ID');
      const partnerId = id(values.partner, '--partner');
      const tier = await store.transaction(async (tx) => {
        if (subcommand === 'add') await setPartnerTier(tx, OPERATOR, partnerId, tierId);
        else await removePartnerFromTier(tx, OPERATOR, tierId, partnerId);
        return getTier(tx, OPERATOR, tierId);
      });
      return tierOutput(tier, subcommand === 'add' ? `Partner ${partnerId} added` : `Partner ${partnerId} dropped`);
    }
    case 'hasoffers reconcile': {
      const networkId = id(argument, 'NETWORK_ID');
      const { from, to } = values;
      if (!from || !to || !isCalendarDate(from) || !isCalendarDate(to)) throw new CommandError('--from and --to must be days written YYYY-MM-DD');
      const done = await reconcile(store, networkId, from, to, (await getNetwork(store)).timeZone).catch((error: unknown) => {
        throw error instanceof HasOffersCallError ? new CommandError(`The HasOffers network could not be read: ${error.message}`) : error;
      });
      const queued = values.repair ? await store.transaction((tx) => repairReconciliation(tx, networkId, done.id)) : 0;
      const lines = [
        ...Object.entries(done.totals).map(([kind, total]) => `${kind}: ${total.count} (payout ${total.payout}, revenue ${total.revenue})`),
        `daily totals by offer and affiliate: ${done.cells.differing.length} of ${done.cells.compared} differ`,
      ];
      return {
        json: { ...done, queued },
        text: [`Reconciliation ${done.id} of ${from} to ${to}:`, ...lines, values.repair ? `${queued} repairs queued.` : 'Nothing changed: add --repair to queue the repairs.'].join('\n'),
      };
    }
    case 'import hasoffers': {
      const done = await importHasOffersNetwork(store, {
        apiUrl: values.url ?? '',
        networkId: values['network-id'] ?? '',
        networkToken: values.token ?? '',
        from: values.from,
        to: values.to,
        timeZone: values['time-zone'],
        trackingHost: values['tracking-host'],
      });
      const lines = IMPORT_KINDS.map((kind) => `${kind}: ${done.counts[kind].created} created, ${done.counts[kind].updated} updated, ${done.counts[kind].unchanged} unchanged`);
      const problems = done.problems.map((problem) => `  ${problem.kind} ${problem.externalId}: ${problem.reason}`);
      const text = [
        `Import ${done.id} of ${done.apiUrl} (NetworkId ${done.networkId}) ${done.status}${done.error ? `: ${done.error}` : ''}.`,
        ...lines,
        problems.length > 0 ? `Not brought over (${problems.length}):` : 'Everything came over.',
        ...problems,
      ].join('\n');
      if (done.status === 'failed') throw new CommandError(text);
      return { json: done, text };
    }
    default:
      throw new CommandError(USAGE);
  }
}
