import { addDays, localDay, nextDay, startOfLocalDay } from '../shared/time-zones.ts';
import type { CapPeriod } from '../offers/offer-rules.ts';

/** The local days (YYYY-MM-DD) a cap period spans around a moment: `from` up to, not including, `to`. */
export interface Days {
  from: string;
  to: string;
}

/** The instants a cap period spans around a moment, by the network's calendar. */
export interface Window {
  from: Date;
  to: Date;
}

const LIFETIME_DAYS: Days = { from: '0001-01-01', to: '9999-12-31' };

/**
 * The cap period's local days. Usage is read from the daily roll-ups by these days: exact in every
 * zone, where whole UTC hours split the day of a zone half an hour off UTC (India, Newfoundland...).
 */
export function capDays(period: CapPeriod, at: Date, timeZone: string): Days {
  if (period === 'lifetime') return LIFETIME_DAYS;
  const day = localDay(at, timeZone);
  if (period === 'day') return { from: day, to: nextDay(day) };
  if (period === 'week') {
    const monday = addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
    return { from: monday, to: addDays(monday, 7) };
  }
  const [year, month] = day.split('-').map(Number) as [number, number];
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return { from: `${day.slice(0, 8)}01`, to: next };
}

export function capWindow(period: CapPeriod, at: Date, timeZone: string): Window {
  // The same span as the lifetime's days, so a goal's cap and the offer's count the same conversions.
  if (period === 'lifetime') return { from: new Date(`${LIFETIME_DAYS.from}T00:00:00Z`), to: new Date(`${LIFETIME_DAYS.to}T00:00:00Z`) };
  const days = capDays(period, at, timeZone);
  return { from: startOfLocalDay(days.from, timeZone), to: startOfLocalDay(days.to, timeZone) };
}

/** A key that changes exactly when the period does: the local day, the week by its Monday, the local month, or one key forever. */
export function periodKey(period: CapPeriod, at: Date, timeZone: string): string {
  if (period === 'lifetime') return 'lifetime';
  if (period === 'week') return `week of ${capDays(period, at, timeZone).from}`;
  const day = localDay(at, timeZone);
  return period === 'day' ? day : day.slice(0, 7);
}
