import { BlockList, isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';

/** How many addresses and ranges the network's block list may hold. */
export const MAX_BLOCKED_IPS = 10_000;

/**
 * An address or CIDR range of the block list as it is kept ('10.0.0.0/8', '2001:db8::1'), or
 * undefined when the text is neither. Only dotted IPv4 is taken: '10' is not an address here.
 */
export function normalizeIpRule(text: string): string | undefined {
  const rule = text.trim();
  // A zone (fe80::1%eth0) names a link of this host; a visitor's address never carries one.
  if (rule.includes('%')) return undefined;
  if (rule.includes('/')) {
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(rule)) return `${ipaddr.IPv4.networkAddressFromCIDR(rule)}/${ipaddr.parseCIDR(rule)[1]}`;
    if (ipaddr.IPv6.isValidCIDR(rule)) return `${ipaddr.IPv6.networkAddressFromCIDR(rule)}/${ipaddr.parseCIDR(rule)[1]}`;
    return undefined;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(rule) || ipaddr.IPv6.isValid(rule)) return ipaddr.process(rule).toString();
  return undefined;
}

/** The kept rules as a matcher; an IPv4 rule matches the same address written IPv4-mapped (::ffff:a.b.c.d). */
export function ipBlockList(rules: readonly string[]): BlockList {
  const list = new BlockList();
  for (const rule of rules) {
    const [address, prefix] = rule.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

export function isBlockedIp(list: BlockList, ip: string): boolean {
  return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}

/**
 * Whose clicks count together against the per-address limit: an IPv4 address, or an IPv6 /64,
 * which is one subscriber's network and whose addresses a visitor can change at will.
 */
export function ipClickKey(ip: string): string {
  if (isIPv4(ip) || !ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const network = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${network.join(':')}::/64`;
}
