import Bowser from 'bowser';
import geoip from 'geoip-country';
import { isbot } from 'isbot';
import type { Device } from '../offers/offer-rules.ts';

export interface Visitor {
  ip: string;
  userAgent: string;
  /** ISO alpha-2, or '' when unknown. */
  country: string;
  device: Device;
  browser: string;
  os: string;
  /** Crawlers and link-preview agents (a missing user agent counts as one). */
  isBot: boolean;
}

const parsedAgents = new Map<string, Omit<Visitor, 'ip' | 'userAgent' | 'country'>>();
const MAX_CACHED_AGENTS = 10_000;

function describeAgent(userAgent: string): Omit<Visitor, 'ip' | 'userAgent' | 'country'> {
  let described = parsedAgents.get(userAgent);
  if (!described) {
    const parser = Bowser.getParser(userAgent || 'unknown');
    const platform = parser.getPlatformType(true);
    described = {
      device: platform === 'mobile' ? 'mobile' : platform === 'tablet' ? 'tablet' : 'desktop',
      browser: parser.getBrowserName() || '',
      os: parser.getOSName() || '',
      isBot: userAgent.trim() === '' || isbot(userAgent),
    };
    if (parsedAgents.size >= MAX_CACHED_AGENTS) parsedAgents.clear();
    parsedAgents.set(userAgent, described);
  }
  return described;
}

/** The offline country of an address, or a proxy's word for it when the operator trusts one. */
export function describeVisitor(ip: string, userAgent: string, countryHeader: string | undefined): Visitor {
  const fromHeader = countryHeader?.trim().toUpperCase();
  const country = fromHeader && /^[A-Z]{2}$/.test(fromHeader) ? fromHeader : (geoip.lookup(ip)?.country ?? '');
  return { ip, userAgent, country, ...describeAgent(userAgent) };
}
