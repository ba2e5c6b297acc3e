import { isOnDomains } from '../shared/urls.ts';

/** How many host names the network's referrer block list may hold. */
export const MAX_BLOCKED_REFERRERS = 10_000;

/**
 * A host name of the referrer block list as it is kept: lower case, an international name in its
 * ASCII form, without a leading `*.` (a name covers its subdomains anyway); undefined when the
 * text is not a bare host name.
 */
export function normalizeReferrerRule(text: string): string | undefined {
  const name = text.trim().replace(/^\*\./, '').replace(/\.$/, '');
  if (name === '' || /[/?#@:\s]/.test(name) || !URL.canParse(`http://${name}`)) return undefined;
  return new URL(`http://${name}`).hostname;
}

/** Whether the page a visitor came from is on a blocked host or under one. */
export function isBlockedReferrer(blocked: ReadonlySet<string>, referrer: string | undefined): boolean {
  return referrer !== undefined && URL.canParse(referrer) && isOnDomains(new URL(referrer).hostname, blocked);
}
