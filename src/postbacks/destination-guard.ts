import { lookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an address is anything but a public unicast one: loopback, private, link-local, shared,
 * reserved, and every IPv6 form that carries an IPv4 address inside (mapped, NAT64, 6to4, Teredo,
 * and the old IPv4-compatible ::a.b.c.d, which the range table calls public).
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return true;
  return parsed.range() !== 'unicast';
}

/** A destination the operator has not allowed: calling it again will not help. */
export class PrivateDestinationError extends Error {}

const privateAddress = (host: string, address: string) => `host ${host} resolves to the private or loopback address ${address}`;

/** The URL's host when it is a private or loopback address written out, which no DNS answer can change. */
export function privateAddressIn(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) && isPrivateAddress(host) ? host : undefined;
}

/**
 * Why a URL may not be called, or undefined when it may: only http(s), and, unless the operator
 * allows it, no private address written in the URL. Host names are checked as they are connected
 * (`publicAddressLookup`), so a name cannot resolve to a public address for a check and to a
 * private one for the call.
 */
export function refuseDestination(url: string, allowPrivate: boolean): string | undefined {
  if (!URL.canParse(url)) return 'not a URL';
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http and https URLs are called';
  const address = allowPrivate ? undefined : privateAddressIn(parsed);
  return address ? privateAddress(address, address) : undefined;
}

/** A DNS lookup for the connection itself that fails when any address of the name is private. */
export const publicAddressLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) return callback(new PrivateDestinationError(privateAddress(hostname, blocked.address)), '', 0);
    if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
