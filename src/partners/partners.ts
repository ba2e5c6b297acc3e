import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { pageWindow, toPage, type Page } from '../shared/paging.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';

export const PARTNER_STATUSES = ['pending', 'active', 'blocked', 'deleted', 'rejected'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export interface Partner {
  id: number;
  name: string;
  email: string | null;
  website: string | null;
  status: PartnerStatus;
  channelId: number | null;
  createdAt: Date;
}

export interface NewPartner {
  name: string;
  email?: string | null;
  website?: string | null;
  status?: PartnerStatus;
  channelId?: number | null;
}

const PARTNER_COLUMNS = `id, name, email, website, status, channel_id AS "channelId", created_at AS "createdAt"`;

export async function createPartner(db: Queryable, input: NewPartner): Promise<Partner> {
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  if (input.status !== undefined && !PARTNER_STATUSES.includes(input.status)) {
    throw new ValidationError('status', `must be one of: ${PARTNER_STATUSES.join(', ')}`);
  }
  const rows = await db.query<Partner>(
    `INSERT INTO partners (name, email, website, status, channel_id) VALUES ($1, $2, $3, $4, $5) RETURNING ${PARTNER_COLUMNS}`,
    [input.name.trim(), input.email ?? null, input.website ?? null, input.status ?? 'active', input.channelId ?? null],
  );
  return rows[0]!;
}

export async function getPartner(db: Queryable, id: number): Promise<Partner> {
  const partner = first(await db.query<Partner>(`SELECT ${PARTNER_COLUMNS} FROM partners WHERE id = $1`, [id]));
  if (!partner) throw new NotFoundError('partner', id);
  return partner;
}

export interface TrafficSource {
  id: number;
  partnerId: number;
  name: string;
  url: string | null;
  channelId: number | null;
}

export async function addTrafficSource(
  db: Queryable,
  partnerId: number,
  input: { name: string; url?: string | null; channelId?: number | null },
): Promise<TrafficSource> {
  const rows = await db.query<TrafficSource>(
    `INSERT INTO traffic_sources (partner_id, name, url, channel_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner_id, name) DO UPDATE SET url = EXCLUDED.url, channel_id = EXCLUDED.channel_id
     RETURNING id, partner_id AS "partnerId", name, url, channel_id AS "channelId"`,
    [partnerId, input.name, input.url ?? null, input.channelId ?? null],
  );
  return rows[0]!;
}

export interface PartnerChanges {
  name?: string;
  email?: string | null;
  website?: string | null;
  status?: PartnerStatus;
}

export async function updatePartner(db: Queryable, id: number, changes: PartnerChanges): Promise<Partner> {
  const current = await getPartner(db, id);
  const next = { ...current, ...changes };
  if (next.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  if (!PARTNER_STATUSES.includes(next.status)) throw new ValidationError('status', `must be one of: ${PARTNER_STATUSES.join(', ')}`);
  await db.query(`UPDATE partners SET name = $2, email = $3, website = $4, status = $5, updated_at = now() WHERE id = $1`, [
    id,
    next.name.trim(),
    next.email,
    next.website,
    next.status,
  ]);
  return getPartner(db, id);
}

export interface PartnerSummary extends Partner {
  company: string | null;
  tierId: number | null;
  tierName: string | null;
  users: number;
}

/** The network's partners, newest first, a page at a time, with each one's tier and how many users it has. */
export async function listPartners(
  db: Queryable,
  filter: { status?: PartnerStatus; search?: string; id?: number; page?: number; perPage?: number },
): Promise<Page<PartnerSummary>> {
  const page = filter.page ?? 1;
  const perPage = filter.perPage ?? 100;
  const { limit, offset } = pageWindow(page, perPage);
  const params: unknown[] = [filter.status ?? null, filter.search ? `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null, filter.id ?? null, limit, offset];
  const rows = await db.query<PartnerSummary>(
    `SELECT p.id, p.name, p.email, p.website, p.status, p.channel_id AS "channelId", p.created_at AS "createdAt", p.company,
            p.tier_id AS "tierId", t.name AS "tierName", (SELECT count(*)::int FROM users u WHERE u.partner_id = p.id) AS users
     FROM partners p LEFT JOIN partner_tiers t ON t.id = p.tier_id
     WHERE ($1::text IS NULL OR p.status = $1) AND ($2::text IS NULL OR p.name ILIKE $2 OR p.email ILIKE $2) AND ($3::int IS NULL OR p.id = $3)
     ORDER BY p.id DESC LIMIT $4 OFFSET $5`,
    params,
  );
  return toPage(rows, page, perPage);
}
