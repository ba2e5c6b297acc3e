import { randomUUID } from 'node:crypto';

/**
 * A click's transaction id: 30 lowercase hex characters beginning "10", the shape of HasOffers'
 * own ids, which clients recognise. The click's millisecond leads, so each batch lands at the end
 * of the clicks' key index instead of on random pages across it: a quarter less work per row at a
 * million clicks, and more as the table grows. 62 random bits follow, unguessable; randomUUID
 * draws them from a cached entropy pool, far cheaper per click than randomBytes. Its last 16 hex
 * digits skip the UUID's fixed version nibble.
 */
/** When the click of a transaction id of ours was made; undefined for an id of another shape. */
export function clickTimeOf(transactionId: string): number | undefined {
  return /^10[0-9a-f]{28}$/.test(transactionId) ? Number.parseInt(transactionId.slice(2, 14), 16) : undefined;
}

export function newTransactionId(now: number): string {
  const random = randomUUID();
  return '10' + now.toString(16).padStart(12, '0') + random.slice(19, 23) + random.slice(24);
}
