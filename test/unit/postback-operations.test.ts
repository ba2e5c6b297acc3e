import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ConversionStatus } from '../../src/ledger/conversion-record.ts';
import { operationFor } from '../../src/postbacks/postback-macros.ts';

const STATUSES: ConversionStatus[] = ['approved', 'pending', 'rejected'];

test('what each change of a conversion tells its partner', () => {
  const cases: Array<[ConversionStatus | null, ConversionStatus, string | undefined]> = [
    [null, 'approved', 'create'],
    [null, 'pending', 'create'],
    [null, 'rejected', undefined],
    ['pending', 'approved', 'update'],
    ['approved', 'approved', 'update'],
    ['approved', 'pending', 'update'],
    ['approved', 'rejected', 'reject'],
    ['pending', 'rejected', 'reject'],
    ['rejected', 'approved', 'create'],
    ['rejected', 'pending', 'create'],
    ['rejected', 'rejected', undefined],
  ];
  for (const [before, after, expected] of cases) assert.equal(operationFor(before, after), expected, `${before} -> ${after}`);
});

test('a partner that adds on create, replaces on update and removes on reject holds every conversion that counts', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 12 }), (history) => {
      let held = false;
      let before: ConversionStatus | null = null;
      for (const status of history) {
        const operation = operationFor(before, status);
        if (operation === 'create') {
          assert.equal(held, false, 'a create for a conversion the partner holds');
          held = true;
        } else if (operation === 'update') assert.equal(held, true, 'an update for a conversion the partner does not hold');
        else if (operation === 'reject') {
          assert.equal(held, true, 'a reject for a conversion the partner does not hold');
          held = false;
        }
        assert.equal(held, status !== 'rejected');
        before = status;
      }
    }),
  );
});
