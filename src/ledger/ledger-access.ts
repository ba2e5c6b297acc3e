import type { Principal } from '../accounts/principal.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import type { Queryable } from '../store/store.ts';
import { findConversion, type Conversion } from './conversion-record.ts';
import type { Corrector } from './corrections.ts';

/** The advertisers whose conversions a caller may record and correct; undefined means all (the network). */
export async function advertiserScopeOf(db: Queryable, principal: Principal): Promise<number[] | undefined> {
  switch (principal.role) {
    case 'network_admin':
      return undefined;
    case 'advertiser':
      return [principal.advertiserId!];
    case 'agency':
      return (await db.query<{ id: number }>('SELECT id FROM advertisers WHERE agency_id = $1', [principal.agencyId])).map((row) => row.id);
    case 'partner':
      throw new ForbiddenError('Partners may not record or correct conversions');
  }
}

export async function correctorFor(db: Queryable, principal: Principal): Promise<Corrector> {
  return { actor: `user:${principal.userId}`, advertiserScope: await advertiserScopeOf(db, principal) };
}

export interface LedgerEntry {
  type: string;
  actor: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  createdAt: Date;
}

/** A conversion with its history, if the caller may see it: the network any, an advertiser its offers', a partner its own. */
export async function conversionWithHistory(db: Queryable, principal: Principal, id: bigint): Promise<{ conversion: Conversion; history: LedgerEntry[] }> {
  const conversion = await findConversion(db, id);
  if (!conversion) throw new NotFoundError('conversion', String(id));
  const allowed =
    principal.role === 'partner'
      ? conversion.partnerId === principal.partnerId
      : ((await advertiserScopeOf(db, principal))?.includes(conversion.advertiserId) ?? true);
  if (!allowed) throw new ForbiddenError(`Conversion ${id} is not yours to see`);
  const history = await db.query<LedgerEntry>(
    `SELECT type, actor, reason, before, after, created_at AS "createdAt" FROM conversion_events WHERE conversion_id = $1 ORDER BY id`,
    [String(id)],
  );
  return { conversion, history };
}
