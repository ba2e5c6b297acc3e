import type { Queryable } from '../store/store.ts';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'blocked'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface Approval {
  offerId: number;
  partnerId: number;
  status: ApprovalStatus;
  notes: string | null;
  updatedAt: Date;
}

/** Sets a partner's standing on an offer; setting the same standing again changes nothing. */
export async function setApproval(
  db: Queryable,
  offerId: number,
  partnerId: number,
  status: ApprovalStatus,
  notes: string | null = null,
): Promise<Approval> {
  const rows = await db.query<Approval>(
    `INSERT INTO approvals (offer_id, partner_id, status, notes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (offer_id, partner_id) DO UPDATE SET status = EXCLUDED.status, notes = EXCLUDED.notes, updated_at = now()
     RETURNING offer_id AS "offerId", partner_id AS "partnerId", status, notes, updated_at AS "updatedAt"`,
    [offerId, partnerId, status, notes],
  );
  return rows[0]!;
}
