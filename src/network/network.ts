import type { Queryable } from '../store/store.ts';

export interface Network {
  id: number;
  name: string;
  timeZone: string;
  currency: string;
  fallbackUrl: string | null;
  cpcPartnerSharePpm: number;
  maintenance: boolean;
}

export async function getNetwork(db: Queryable): Promise<Network> {
  const rows = await db.query<Network>(
    `SELECT id, name, time_zone AS "timeZone", currency, fallback_url AS "fallbackUrl",
            cpc_partner_share_ppm AS "cpcPartnerSharePpm", maintenance FROM network`,
  );
  return rows[0]!;
}

export async function setMaintenance(db: Queryable, on: boolean): Promise<Network> {
  await db.query('UPDATE network SET maintenance = $1, updated_at = now()', [on]);
  return getNetwork(db);
}
