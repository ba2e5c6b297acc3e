/** Calendar days in a network's IANA time zone, daylight saving included. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(name: string): boolean {
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

const QUARTER_HOUR_MS = 900_000;
const offsetCache = new Map<string, number>();
const MAX_CACHED_OFFSETS = 50_000;

/**
 * Milliseconds the zone is ahead of UTC at the given instant. Offsets change only on quarter-hour
 * boundaries, so each quarter hour of each zone is computed once (the click path asks per click).
 */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const quarter = Math.floor(instant.getTime() / QUARTER_HOUR_MS);
  const key = `${timeZone}|${quarter}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = computeZoneOffsetMs(new Date(quarter * QUARTER_HOUR_MS), timeZone);
    if (offsetCache.size >= MAX_CACHED_OFFSETS) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** Whether an instant is a midnight of the zone: where one local day ends and the next begins. */
export function isLocalMidnight(instant: Date, timeZone: string): boolean {
  return (instant.getTime() + zoneOffsetMs(instant, timeZone)) % 86_400_000 === 0;
}

/** An instant as the zone's wall clock with its offset, to the second: 2027-01-31T23:59:59-05:00. */
export function isoInZone(instant: Date, timeZone: string): string {
  const offset = zoneOffsetMs(instant, timeZone);
  const wall = new Date(instant.getTime() + offset).toISOString().slice(0, 19);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function computeZoneOffsetMs(instant: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/**
 * The instant a local calendar day (YYYY-MM-DD) begins in the zone. Where midnight does not exist
 * (a daylight-saving jump at 00:00), the day begins at the first instant that does.
 */
export function startOfLocalDay(day: string, timeZone: string): Date {
  if (!isCalendarDate(day)) throw new RangeError(`Not a calendar date: ${day}`);
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  let instant = instantOfWallClock(Date.UTC(year, month - 1, date), timeZone);
  if (localDay(new Date(instant), timeZone) !== day) {
    instant += 3_600_000;
  }
  return new Date(instant);
}

/**
 * When the zone's clocks show a wall-clock time (given as if it were UTC). An ambiguous time, in
 * the hour clocks go back, is its first occurrence; a time clocks skip lands an hour off.
 */
function instantOfWallClock(wallClock: number, timeZone: string): number {
  // Two passes: the offset at the guessed instant can differ from the offset at the answer.
  const guess = wallClock - zoneOffsetMs(new Date(wallClock), timeZone);
  return wallClock - zoneOffsetMs(new Date(guess), timeZone);
}

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/** A local "YYYY-MM-DD hh:mm:ss" (or "YYYY-MM-DD", midnight) in the zone as an instant; undefined when it is no such time. */
export function localDateTime(text: string, timeZone: string): Date | undefined {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match || !isCalendarDate(match[1]!)) return undefined;
  const [hour, minute, second] = [match[2], match[3], match[4]].map((part) => Number(part ?? 0)) as [number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const [year, month, date] = match[1]!.split('-').map(Number) as [number, number, number];
  return new Date(instantOfWallClock(Date.UTC(year, month - 1, date, hour, minute, second), timeZone));
}

/** The local calendar day (YYYY-MM-DD) an instant falls on in the zone. */
export function localDay(instant: Date, timeZone: string): string {
  const shifted = new Date(instant.getTime() + zoneOffsetMs(instant, timeZone));
  return shifted.toISOString().slice(0, 10);
}

/** The calendar day `days` after (or before, when negative) a calendar day. */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** The day after a calendar day. */
export const nextDay = (day: string) => addDays(day, 1);
