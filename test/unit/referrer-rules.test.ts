import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBlockedReferrer, normalizeReferrerRule } from '../../src/traffic-control/referrer-rules.ts';

test('a referrer block-list entry is a bare host name, kept in one spelling', () => {
  const cases: Array<[string, string | undefined]> = [
    ['spam.example', 'spam.example'],
    [' Spam.Example. ', 'spam.example'],
    ['*.spam.example', 'spam.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['203.0.113.7', '203.0.113.7'],
    ['https://spam.example', undefined],
    ['spam.example/path', undefined],
    ['spam.example:8080', undefined],
    ['user@spam.example', undefined],
    ['spam example', undefined],
    ['', undefined],
  ];
  for (const [text, kept] of cases) assert.equal(normalizeReferrerRule(text), kept, text);
});

test('a blocked name refuses its own pages and its subdomains\', not look-alikes', () => {
  const blocked = new Set(['spam.example', 'xn--bcher-kva.example']);
  const cases: Array<[string | undefined, boolean]> = [
    ['https://spam.example/offers?x=1', true],
    ['http://ads.cdn.spam.example/', true],
    ['https://SPAM.example/', true],
    ['https://bücher.example/', true],
    ['https://notspam.example/', false],
    ['https://spam.example.org/', false],
    ['https://example/', false],
    ['not a url', false],
    ['', false],
    [undefined, false],
  ];
  for (const [referrer, expected] of cases) assert.equal(isBlockedReferrer(blocked, referrer), expected, String(referrer));
});
