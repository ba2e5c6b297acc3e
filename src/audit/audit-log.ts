import type { Principal } from '../accounts/principal.ts';
import { SqlParams } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

/**
 * Who changed what. Every change to the audited tables is recorded by the store's triggers with
 * the actor a write names for its transaction; sign-ins are recorded here.
 */
export interface AuditEntry {
  id: string;
  at: Date;
  actorUserId: number | null;
  actorRole: string | null;
  address: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Names the actor of the transaction's writes, for the audit triggers; it ends with the transaction. */
export async function setAuditActor(db: Queryable, principal: Principal, address: string | undefined): Promise<void> {
  const actor = {
    userId: principal.userId || null,
    role: principal.role,
    advertiserId: principal.advertiserId,
    partnerId: principal.partnerId,
    agencyId: principal.agencyId,
    address: address ?? null,
  };
  await db.query(`SELECT set_config('partnerline.actor', $1, true)`, [JSON.stringify(actor)]);
}

export interface AuditEvent {
  userId: number | null;
  action: 'sign_in' | 'sign_in_failed' | 'sign_out' | 'sign_out_everywhere';
  address: string;
  detail?: Record<string, unknown>;
}

/** Records a sign-in event; a failed one for an unknown email names no user. */
export async function recordSignInEvent(db: Queryable, event: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_user_id, actor_role, actor_advertiser_id, actor_partner_id, actor_agency_id, address,
                            action, entity, entity_id, advertiser_id, partner_id, agency_id, after)
     SELECT u.id, u.role, u.advertiser_id, u.partner_id, u.agency_id, $2, $3, 'session', u.id::text,
            u.advertiser_id, u.partner_id, u.agency_id, $4::jsonb
     FROM (SELECT $1::integer AS id) given LEFT JOIN users u ON u.id = given.id`,
    [event.userId, event.address, event.action, event.detail ? JSON.stringify(event.detail) : null],
  );
}

/** A value only the network and one side may read: partners never see revenue, advertisers never see partner payouts. */
const HIDDEN_FIELDS: Record<Principal['role'], RegExp | null> = {
  network_admin: null,
  partner: /revenue|margin|conversion_security_token/,
  advertiser: /payout|margin|cpc_partner_share/,
  agency: /payout|margin|cpc_partner_share/,
};

export function visibleFields(role: Principal['role'], row: Record<string, unknown> | null): Record<string, unknown> | null {
  const hidden = HIDDEN_FIELDS[role];
  if (!row || !hidden) return row;
  return Object.fromEntries(Object.entries(row).filter(([name]) => !hidden.test(name)));
}

function visibleTo(principal: Principal, params: SqlParams): string {
  switch (principal.role) {
    case 'network_admin':
      return 'TRUE';
    case 'advertiser':
      return `(l.advertiser_id = ${params.add(principal.advertiserId)} OR l.actor_advertiser_id = ${params.add(principal.advertiserId)})
              AND l.entity NOT IN ('payout_overrides', 'volume_payouts', 'partner_tiers', 'partners', 'partner_postbacks')`;
    case 'agency':
      return `(l.agency_id = ${params.add(principal.agencyId)} OR l.actor_agency_id = ${params.add(principal.agencyId)})
              AND l.entity NOT IN ('payout_overrides', 'volume_payouts', 'partner_tiers', 'partners', 'partner_postbacks')`;
    case 'partner':
      return `(l.partner_id = ${params.add(principal.partnerId)} OR l.actor_partner_id = ${params.add(principal.partnerId)})
              AND l.entity NOT IN ('revenue_overrides', 'offers', 'goals', 'advertisers')`;
  }
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** What the caller may read of the log, newest first: the network all of it, each account its own. */
export async function listAuditLog(
  db: Queryable,
  principal: Principal,
  filter: { entity?: string; before?: bigint; limit: number },
): Promise<AuditPage> {
  const params = new SqlParams();
  const conditions = [visibleTo(principal, params)];
  if (filter.entity) conditions.push(`l.entity = ${params.add(filter.entity)}`);
  if (filter.before !== undefined) conditions.push(`l.id < ${params.add(String(filter.before))}`);
  const rows = await db.query<AuditEntry>(
    `SELECT l.id::text, l.at, l.actor_user_id AS "actorUserId", l.actor_role AS "actorRole", l.address, l.action,
            l.entity, l.entity_id AS "entityId", l.before, l.after
     FROM audit_log l WHERE ${conditions.join(' AND ')} ORDER BY l.id DESC LIMIT ${params.add(filter.limit + 1)}`,
    params.values,
  );
  const entries = rows.slice(0, filter.limit).map((entry) => ({
    ...entry,
    // Only the network sees where others signed in or wrote from.
    address: principal.role === 'network_admin' || entry.actorUserId === principal.userId ? entry.address : null,
    before: visibleFields(principal.role, entry.before),
    after: visibleFields(principal.role, entry.after),
  }));
  return { entries, nextCursor: rows.length > filter.limit ? entries.at(-1)!.id : null };
}
