import type { Principal } from '../accounts/principal.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { first } from '../shared/sql.ts';
import type { Queryable } from '../store/store.ts';
import { changeableOffer, getOffer, requireOfferInScope } from './offers.ts';

/** Banners and HTML an offer's partners put on their pages, stored and served by Partnerline. */
export interface Creative {
  id: number;
  offerId: number;
  name: string;
  kind: 'image' | 'html';
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: Date;
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const MAX_CREATIVE_BYTES = 2 * 1024 * 1024;

const COLUMNS = `id, offer_id AS "offerId", name, kind, content_type AS "contentType", octet_length(content) AS size, width, height, created_at AS "createdAt"`;

/** The first bytes each image type starts with: what a file claims to be, it must be. */
const SIGNATURES: Record<(typeof IMAGE_TYPES)[number], (bytes: Buffer) => boolean> = {
  'image/png': (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (bytes) => bytes[0] === 0xff && bytes[1] === 0xd8,
  'image/gif': (bytes) => bytes.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (bytes) => bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP',
};

export interface NewCreative {
  name: string;
  kind: 'image' | 'html';
  /** An image's type; HTML is text/html. */
  contentType?: string;
  /** An image as base64; HTML as text. */
  content: string;
  width?: number | null;
  height?: number | null;
}

export async function addCreative(db: Queryable, principal: Principal, offerId: number, input: NewCreative): Promise<Creative> {
  await changeableOffer(db, principal, offerId);
  if (input.name.trim() === '') throw new ValidationError('name', 'must not be empty');
  let bytes: Buffer;
  let contentType: string;
  if (input.kind === 'image') {
    contentType = input.contentType ?? '';
    const check = SIGNATURES[contentType as (typeof IMAGE_TYPES)[number]];
    if (!check) throw new ValidationError('contentType', `must be one of ${IMAGE_TYPES.join(', ')}`);
    bytes = Buffer.from(input.content, 'base64');
    if (!check(bytes)) throw new ValidationError('content', `is not a ${contentType} image`);
  } else {
    contentType = 'text/html; charset=utf-8';
    bytes = Buffer.from(input.content, 'utf8');
  }
  if (bytes.length === 0) throw new ValidationError('content', 'is empty');
  if (bytes.length > MAX_CREATIVE_BYTES) throw new ValidationError('content', `is larger than ${MAX_CREATIVE_BYTES / 1024 / 1024} MB`);
  const [row] = await db.query<Creative>(
    `INSERT INTO creatives (offer_id, name, kind, content_type, content, width, height) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [offerId, input.name.trim(), input.kind, contentType, bytes, input.width ?? null, input.height ?? null],
  );
  return row!;
}

/** An offer's creatives: its side sees them on the offer, a partner on offers it may see. */
export async function listCreatives(db: Queryable, principal: Principal, offerId: number): Promise<Creative[]> {
  if (principal.role === 'partner') await requireOfferInScope(db, principal, offerId);
  else await getOffer(db, principal, offerId);
  return db.query<Creative>(`SELECT ${COLUMNS} FROM creatives WHERE offer_id = $1 AND status = 'active' ORDER BY id`, [offerId]);
}

export async function removeCreative(db: Queryable, principal: Principal, offerId: number, creativeId: number): Promise<void> {
  await changeableOffer(db, principal, offerId);
  const removed = await db.query(`UPDATE creatives SET status = 'deleted' WHERE id = $1 AND offer_id = $2 RETURNING 1`, [creativeId, offerId]);
  if (removed.length === 0) throw new NotFoundError('creative', creativeId);
}

/** A creative's file, for the public address partners embed; a removed one is gone. */
export async function creativeFile(db: Queryable, id: number): Promise<{ contentType: string; content: Buffer } | undefined> {
  return first(
    await db.query<{ contentType: string; content: Buffer }>(
      `SELECT c.content_type AS "contentType", c.content FROM creatives c JOIN offers o ON o.id = c.offer_id
       WHERE c.id = $1 AND c.status = 'active' AND o.status <> 'deleted'`,
      [id],
    ),
  );
}
