import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classify, compareCells, type CellFigures, type ExternalConversion, type LedgerConversion } from '../../src/hasoffers-bridge/reconcile.ts';

const STATUSES = ['approved', 'pending', 'rejected'] as const;

const ledgerRow = fc.record({
  status: fc.constantFrom(...STATUSES),
  superseded: fc.boolean(),
  payoutMicros: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
  revenueMicros: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
  saleAmountMicros: fc.bigInt({ min: 0n, max: 10_000_000_000n }),
});

/** What the network holds of a ledger conversion: nothing, a faithful copy, or a copy with one thing changed, once or twice. */
const outside = fc.constantFrom('none', 'copy', 'copy-twice', 'status', 'amount', 'offer');

test('every record on either side is classified once, and a faithful copy matches', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(ledgerRow, outside), { maxLength: 30 }), fc.integer({ min: 0, max: 5 }), (rows, foreignCount) => {
      const ledger: LedgerConversion[] = rows.map(([row], index) => ({ ...row, id: String(index + 1), key: `pl-${index}`, transactionId: null, externalOfferId: 7, externalAffiliateId: 9 }));
      const external: ExternalConversion[] = [];
      const add = (mine: LedgerConversion, change: Partial<ExternalConversion>) =>
        external.push({ id: String(external.length + 1000), key: mine.key, transactionId: null, status: mine.superseded ? 'rejected' : mine.status, payoutMicros: mine.payoutMicros, revenueMicros: mine.revenueMicros, saleAmountMicros: mine.saleAmountMicros, offerId: 7, affiliateId: 9, ...change });
      rows.forEach(([, kind], index) => {
        const mine = ledger[index]!;
        if (kind === 'copy' || kind === 'copy-twice') add(mine, {});
        if (kind === 'copy-twice') add(mine, { status: 'approved' });
        if (kind === 'status') add(mine, { status: mine.status === 'approved' ? 'pending' : 'approved', ...(mine.superseded ? { status: 'approved' } : {}) });
        if (kind === 'amount') add(mine, { payoutMicros: mine.payoutMicros + 10n });
        if (kind === 'offer') add(mine, { offerId: 8 });
      });
      for (let index = 0; index < foreignCount; index += 1) external.push({ id: `f${index}`, key: null, transactionId: null, status: 'approved', payoutMicros: 0n, revenueMicros: 0n, saleAmountMicros: 0n, offerId: 7, affiliateId: 9 });

      const items = classify(ledger, external);
      const externalSeen = items.flatMap((item) => item.externalIds);
      assert.deepEqual(externalSeen.toSorted(), external.map((row) => row.id).toSorted(), 'each external record once');
      const ledgerSeen = items.flatMap((item) => (item.conversionId === null ? [] : [item.conversionId]));
      assert.equal(new Set(ledgerSeen).size, ledgerSeen.length, 'each ledger conversion at most once');
      assert.equal(items.filter((item) => item.class === 'foreign').length, foreignCount);
      rows.forEach(([row, kind], index) => {
        const found = items.find((item) => item.conversionId === String(index + 1))?.class;
        const expected =
          kind === 'none'
            ? row.superseded ? undefined : 'missing_outside'
            : kind === 'copy' ? 'matched'
            : kind === 'copy-twice' ? (row.superseded || row.status === 'rejected' ? (row.superseded ? 'superseded_live' : 'status_differs') : 'duplicate_outside')
            : kind === 'amount' ? 'amounts_differ'
            : kind === 'offer' ? 'attribution_differs'
            : undefined;
        if (kind !== 'status') assert.equal(found, expected, `${kind} ${JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
        if (kind === 'status') assert.ok(['status_differs', 'refused_outside', 'superseded_live'].includes(found!), found);
      });
    }),
  );
});

test('amounts compare as HasOffers reports them, to five decimals', () => {
  const mine: LedgerConversion = { id: '1', key: 'pl-a', transactionId: null, status: 'approved', superseded: false, payoutMicros: 1_000_001n, revenueMicros: 2_000_000n, saleAmountMicros: 0n, externalOfferId: 1, externalAffiliateId: 2 };
  const theirs: ExternalConversion = { id: '9', key: 'pl-a', transactionId: null, status: 'approved', payoutMicros: 1_000_000n, revenueMicros: 2_000_000n, saleAmountMicros: 0n, offerId: 1, affiliateId: 2 };
  assert.equal(classify([mine], [theirs])[0]!.class, 'matched');
  assert.equal(classify([mine], [{ ...theirs, payoutMicros: 1_000_010n }])[0]!.class, 'amounts_differ');
  assert.deepEqual(classify([mine], [{ ...theirs, key: null, transactionId: 'abc' }]).map((item) => item.class), ['missing_outside', 'foreign'], 'nothing to join by');
  assert.equal(classify([{ ...mine, transactionId: 'abc' }], [{ ...theirs, key: null, transactionId: 'abc' }])[0]!.class, 'matched', 'joined by transaction id');
  assert.equal(classify([mine], [{ ...theirs, status: 'rejected' }])[0]!.class, 'refused_outside');
});

test('daily totals: a cell is listed exactly when its figures differ at five decimals, a missing one counting as zero', () => {
  const cell = fc.record({
    day: fc.constantFrom('2026-12-01', '2026-12-02'),
    externalOfferId: fc.integer({ min: 1, max: 3 }),
    externalAffiliateId: fc.integer({ min: 1, max: 3 }),
    conversions: fc.integer({ min: 0, max: 5 }),
    payoutMicros: fc.bigInt({ min: 0n, max: 100_000_000n }),
    revenueMicros: fc.bigInt({ min: 0n, max: 100_000_000n }),
  });
  const unique = (cells: CellFigures[]) => [...new Map(cells.map((one) => [`${one.day}/${one.externalOfferId}/${one.externalAffiliateId}`, one])).values()];
  fc.assert(
    fc.property(fc.array(cell, { maxLength: 12 }).map(unique), fc.array(cell, { maxLength: 12 }).map(unique), (here, there) => {
      const result = compareCells(here, there);
      const key = (one: { day: string; externalOfferId: number; externalAffiliateId: number }) => `${one.day}/${one.externalOfferId}/${one.externalAffiliateId}`;
      const all = new Set([...here, ...there].map(key));
      assert.equal(result.compared, all.size);
      const five = (micros: bigint | undefined) => ((micros ?? 0n) + 5n) / 10n;
      for (const cellKey of all) {
        const [a, b] = [here.find((one) => key(one) === cellKey), there.find((one) => key(one) === cellKey)];
        const same = (a?.conversions ?? 0) === (b?.conversions ?? 0) && five(a?.payoutMicros) === five(b?.payoutMicros) && five(a?.revenueMicros) === five(b?.revenueMicros);
        assert.equal(result.differing.some((one) => key(one) === cellKey), !same, cellKey);
      }
    }),
  );
});
