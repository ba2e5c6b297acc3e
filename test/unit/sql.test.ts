import assert from 'node:assert/strict';
import { test } from 'node:test';
import { likePattern } from '../../src/shared/sql.ts';

test('a LIKE pattern keeps its wildcards and escapes; only a trailing lone backslash is escaped', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['%deal%', '%deal%'],
    ['100\\%', '100\\%'],
    ['a\\', 'a\\\\'],
    ['a\\\\', 'a\\\\'],
    ['a\\\\\\', 'a\\\\\\\\'],
    ['\\', '\\\\'],
  ];
  for (const [pattern, expected] of cases) assert.equal(likePattern(pattern), expected, pattern);
});
