import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inertCell } from '../../src/reports/csv.ts';

test('a CSV cell a spreadsheet would run as a formula is made inert; numbers and plain text are not touched', () => {
  for (const [value, expected] of [
    ['=1+1', "'=1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-cmd|calc', "'-cmd|calc"],
    ['\tTAB', "'\tTAB"],
    ['-1.500000', '-1.500000'],
    ['+2', '+2'],
    ['12.75', '12.75'],
    ['newsletter', 'newsletter'],
    ['a=b', 'a=b'],
    ['', ''],
  ]) {
    assert.equal(inertCell(value!), expected, JSON.stringify(value));
  }
});
