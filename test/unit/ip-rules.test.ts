import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipBlockList, ipClickKey, isBlockedIp, normalizeIpRule } from '../../src/traffic-control/ip-rules.ts';

test('a block-list entry is an address or a CIDR range, kept in one spelling', () => {
  const cases: Array<[string, string | undefined]> = [
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['203.0.113.7/24', '203.0.113.0/24'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['2001:db8:1:2:3::/48', '2001:db8:1::/48'],
    ['::ffff:198.51.100.9', '198.51.100.9'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10', undefined],
    ['0x0a.0.0.1', undefined],
    ['300.1.1.1', undefined],
    ['10.0.0.0/33', undefined],
    ['2001:db8::/129', undefined],
    ['10.0.0.0/', undefined],
    ['example.com', undefined],
    ['fe80::1%eth0', undefined],
    ['', undefined],
  ];
  for (const [text, kept] of cases) assert.equal(normalizeIpRule(text), kept, text);
});

test('a blocked range refuses every address in it, however the address is written', () => {
  const list = ipBlockList(['203.0.113.0/24', '198.51.100.9', '2001:db8::/32']);
  const cases: Array<[string, boolean]> = [
    ['203.0.113.200', true],
    ['203.0.114.1', false],
    ['198.51.100.9', true],
    ['198.51.100.10', false],
    ['::ffff:203.0.113.5', true],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
  ];
  for (const [ip, blocked] of cases) assert.equal(isBlockedIp(list, ip), blocked, ip);
});

test('clicks count per IPv4 address and per IPv6 /64', () => {
  const cases: Array<[string, string]> = [
    ['198.51.100.9', '198.51.100.9'],
    ['::ffff:198.51.100.9', '198.51.100.9'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:bbbb:cccc:dddd:eeee', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
  ];
  for (const [ip, key] of cases) assert.equal(ipClickKey(ip), key, ip);
});
