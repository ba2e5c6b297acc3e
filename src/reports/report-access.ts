import type { Principal } from '../accounts/principal.ts';
import { advertiserScopeOf } from '../ledger/ledger-access.ts';
import type { Queryable } from '../store/store.ts';
import type { Metric, StatsScope } from './stats-engine.ts';

/** Whose figures a caller reads: a partner its own, an advertiser (or agency) its offers', the network all. */
export async function statsScopeFor(db: Queryable, principal: Principal): Promise<StatsScope> {
  if (principal.role === 'partner') return { partnerId: principal.partnerId! };
  if (principal.role === 'network_admin') return {};
  return { advertiserIds: (await advertiserScopeOf(db, principal))! };
}

/** A partner never sees what the network earns. */
const NETWORK_ONLY: Metric[] = ['revenue', 'profit', 'pending_revenue', 'net_revenue', 'rpc', 'rpm', 'rpa', 'click_spend'];

export function metricAllowed(principal: Principal, metric: Metric): boolean {
  return principal.role !== 'partner' || !NETWORK_ONLY.includes(metric);
}
