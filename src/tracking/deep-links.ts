import { isOnDomains } from '../shared/urls.ts';

/** Hosts of the business URL and extra domains; a deep link must land on one of them or a subdomain. */
export function advertiserDomains(businessUrl: string, extraDomains: string[]): ReadonlySet<string> {
  const domains = new Set<string>();
  if (URL.canParse(businessUrl)) domains.add(new URL(businessUrl).hostname.toLowerCase().replace(/^www\./, ''));
  for (const domain of extraDomains) domains.add(domain.toLowerCase().replace(/^www\./, ''));
  return domains;
}

/** Whether a deep link may be followed: http(s), and on the advertiser's own domains. Never an open redirect. */
export function isAllowedDeepLink(link: string, domains: ReadonlySet<string>): boolean {
  if (!URL.canParse(link)) return false;
  const url = new URL(link);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return isOnDomains(url.hostname.toLowerCase(), domains);
}
