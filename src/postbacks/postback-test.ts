import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../accounts/principal.ts';
import type { Conversion } from '../ledger/conversion-record.ts';
import { STATUS_CODE } from '../ledger/status-codes.ts';
import { getNetwork } from '../network/network.ts';
import type { Queryable } from '../store/store.ts';
import { expandMacros, macrosFrom } from '../tracking/macros.ts';
import { callPostback, type PostbackCall, type PostbackCallOptions } from './postback-call.ts';
import { postbackValues, type PostbackOperation } from './postback-macros.ts';
import { getPostback, type Postback } from './postbacks.ts';

/** A conversion that never happened, with values plain to recognise: a test transaction id, a 1.00 payout on a 10.00 sale. */
function sampleConversion(postback: Postback, offer: { id: number; advertiserId: number } | undefined, currency: string, operation: PostbackOperation): Conversion {
  const now = new Date();
  const rejected = operation === 'reject';
  return {
    id: 0n,
    seq: randomUUID(),
    transactionId: `test${randomBytes(13).toString('hex')}`,
    offerId: offer?.id ?? 0,
    goalId: postback.goalId,
    partnerId: postback.partnerId,
    advertiserId: offer?.advertiserId ?? 0,
    status: rejected ? 'rejected' : 'approved',
    statusCode: rejected ? STATUS_CODE.MANUAL : STATUS_CODE.SERVER_POSTBACK,
    reason: rejected ? 'test' : null,
    currency,
    saleAmountMicros: 10_000_000n,
    payoutMicros: 1_000_000n,
    revenueMicros: 0n,
    payoutType: 'cpa_flat',
    revenueType: 'cpa_flat',
    payoutRule: 'offer',
    payoutFlatMicros: 1_000_000n,
    payoutPercentPpm: 0,
    revenueFlatMicros: 0n,
    revenuePercentPpm: 0,
    orderId: 'TEST-ORDER',
    advSubs: ['TEST-ORDER', null, null, null, null],
    ip: '203.0.113.7',
    userAgent: null,
    country: '',
    device: '',
    source: 'test',
    affSub1: 'test',
    clickAt: new Date(now.getTime() - 3_600_000),
    convertedAt: now,
    holdUntil: null,
    isAdjustment: false,
    replacesId: null,
    replacedById: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Calls a postback once with a sample conversion, for its owner to see what its endpoint receives
 * and answers. Nothing is stored or queued, and the postback's failure count stays as it was.
 */
export async function testPostback(
  db: Queryable,
  principal: Principal,
  id: number,
  operation: PostbackOperation,
  options: PostbackCallOptions,
): Promise<{ operation: PostbackOperation; url: string; delivered: boolean } & Omit<PostbackCall, 'permanent'>> {
  const postback = await getPostback(db, principal, id);
  const [{ secret }] = (await db.query<{ secret: string | null }>('SELECT secret FROM partner_postbacks WHERE id = $1', [id])) as [{ secret: string | null }];
  const [offer] = await db.query<{ id: number; advertiserId: number; name: string }>(
    'SELECT id, advertiser_id AS "advertiserId", name FROM offers WHERE id = $1',
    [postback.offerId ?? 0],
  );
  const conversion = sampleConversion(postback, offer, (await getNetwork(db)).currency, operation);
  const values = postbackValues(conversion, { source: 'test', affSubs: ['test', null, null, null, null], affClickId: null, params: null, ip: conversion.ip, createdAt: conversion.clickAt! }, operation, offer?.name ?? 'Test offer');
  const url = expandMacros(postback.url, macrosFrom(values));
  const { statusCode, excerpt, error, latencyMs } = await callPostback(url, secret, options);
  return { operation, url, delivered: error === null, statusCode, latencyMs, excerpt, error };
}
