import { randomBytes } from 'node:crypto';
import { setBounded } from '../shared/bounded-map.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Queryable } from '../store/store.ts';

export interface ShortLink {
  code: string;
  offerId: number;
  partnerId: number;
  params: Record<string, string>;
}

const CODE = /^[a-z0-9]{6,16}$/;
const NEGATIVE_TTL_MS = 60_000;

/** The short code for a link; asking again for the same link answers the same code. */
export async function shortLinkFor(db: Queryable, offerId: number, partnerId: number, params: Record<string, string>): Promise<ShortLink> {
  const sorted = Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const code = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0');
    const rows = await db.query<ShortLink>(
      `INSERT INTO short_links (code, offer_id, partner_id, params) VALUES ($1, $2, $3, $4)
       ON CONFLICT (offer_id, partner_id, params) DO UPDATE SET params = EXCLUDED.params
       RETURNING code, offer_id AS "offerId", partner_id AS "partnerId", params`,
      [code, offerId, partnerId, JSON.stringify(sorted)],
    ).catch((error: { code?: string }) => {
      if (error.code === '23505') return [];
      if (error.code === '23503') throw new ValidationError('offerId', 'unknown offer or partner');
      throw error;
    });
    if (rows[0]) return rows[0];
  }
  throw new Error('could not find a free short code');
}

/**
 * Resolves short codes from memory once seen; a code is looked up in the store once, not per click.
 * Bounded, since codes that do not exist are remembered too, and a scanner can send any number.
 */
export class ShortLinkCache {
  private readonly db: Queryable;
  private readonly capacity: number;
  private readonly known = new Map<string, ShortLink | number>();

  constructor(db: Queryable, capacity = 100_000) {
    this.db = db;
    this.capacity = capacity;
  }

  async resolve(code: string): Promise<ShortLink | undefined> {
    if (!CODE.test(code)) return undefined;
    const cached = this.known.get(code);
    if (typeof cached === 'object') return cached;
    if (typeof cached === 'number' && Date.now() - cached < NEGATIVE_TTL_MS) return undefined;
    const [link] = await this.db.query<ShortLink>(
      `SELECT code, offer_id AS "offerId", partner_id AS "partnerId", params FROM short_links WHERE code = $1`,
      [code],
    );
    setBounded(this.known, code, link ?? Date.now(), this.capacity);
    return link;
  }
}
