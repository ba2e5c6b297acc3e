import { localDay, nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { CapPeriod } from '../offers/offer-terms.ts';

/** The instants a cap period spans around a moment, by the network's calendar. */
export interface Window {
  from: Date;
  to: Date;
}

export function capWindow(period: CapPeriod, at: Date, timeZone: string): Window {
  if (period === 'lifetime') return { from: new Date('1970-01-01T00:00:00Z'), to: new Date('9999-12-31T00:00:00Z') };
  const day = localDay(at, timeZone);
  if (period === 'day') return { from: startOfLocalDay(day, timeZone), to: startOfLocalDay(nextDay(day), timeZone) };
  const [year, month] = day.split('-').map(Number) as [number, number];
  const first = `${day.slice(0, 8)}01`;
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return { from: startOfLocalDay(first, timeZone), to: startOfLocalDay(next, timeZone) };
}

/** A key that changes exactly when the period does: the local day, the local month, or one key forever. */
export function periodKey(period: CapPeriod, at: Date, timeZone: string): string {
  if (period === 'lifetime') return 'lifetime';
  const day = localDay(at, timeZone);
  return period === 'day' ? day : day.slice(0, 7);
}
