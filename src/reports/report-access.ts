import type { Principal } from '../accounts/principal.ts';
import { advertiserScopeOf } from '../ledger/ledger-access.ts';
import type { Queryable } from '../store/store.ts';
import type { Dimension, Metric, StatsScope } from './stats-engine.ts';

/** Whose figures a caller reads: a partner its own, an advertiser (or agency) its offers', the network all. */
export async function statsScopeFor(db: Queryable, principal: Principal): Promise<StatsScope> {
  if (principal.role === 'partner') return { partnerId: principal.partnerId! };
  if (principal.role === 'network_admin') return {};
  return { advertiserIds: (await advertiserScopeOf(db, principal))! };
}

/** A partner never sees what the network earns. */
const NETWORK_ONLY: Metric[] = ['revenue', 'profit', 'pending_revenue', 'net_revenue', 'rpc', 'rpm', 'rpa', 'click_spend'];

/** Nor how the network is paid. */
const HIDDEN_DIMENSIONS: Dimension[] = ['revenue_type'];

/** Whether the caller may read a report's column, a metric or a dimension. */
export function fieldAllowed(principal: Principal, field: Metric | Dimension): boolean {
  return principal.role !== 'partner' || !(NETWORK_ONLY as string[]).concat(HIDDEN_DIMENSIONS).includes(field);
}
