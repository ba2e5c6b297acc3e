import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCalendarDate, isTimeZone, localDateTime, localDay, nextDay, startOfLocalDay } from '../../src/shared/time-zones.ts';

test('startOfLocalDay finds local midnight, daylight saving included', () => {
  const cases: Array<[string, string, string]> = [
    ['2026-01-15', 'UTC', '2026-01-15T00:00:00.000Z'],
    ['2026-01-15', 'America/New_York', '2026-01-15T05:00:00.000Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00.000Z'],
    // The days daylight saving starts and ends in New York: each begins at the old offset.
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-03-09', 'America/New_York', '2026-03-09T04:00:00.000Z'],
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-04-05', 'Australia/Sydney', '2026-04-04T13:00:00.000Z'],
    ['2026-01-01', 'Asia/Kolkata', '2025-12-31T18:30:00.000Z'],
    // Santiago skips from 00:00 to 01:00 on the day daylight saving starts: the day begins at 01:00.
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
  ];
  for (const [day, zone, expected] of cases) {
    assert.equal(startOfLocalDay(day, zone).toISOString(), expected, `${day} in ${zone}`);
  }
});

test('localDay names the calendar day an instant falls on', () => {
  const cases: Array<[string, string, string]> = [
    ['2026-03-01T04:59:59Z', 'America/New_York', '2026-02-28'],
    ['2026-03-01T05:00:00Z', 'America/New_York', '2026-03-01'],
    ['2026-06-30T14:00:00Z', 'Australia/Sydney', '2026-07-01'],
    ['2026-12-31T23:59:59Z', 'UTC', '2026-12-31'],
  ];
  for (const [instant, zone, expected] of cases) assert.equal(localDay(new Date(instant), zone), expected, `${instant} in ${zone}`);
});

test('localDateTime reads a wall-clock time in the zone, daylight saving included', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['2026-01-15 10:30:00', 'UTC', '2026-01-15T10:30:00.000Z'],
    ['2026-01-15 10:30:00', 'America/New_York', '2026-01-15T15:30:00.000Z'],
    ['2026-07-01 10:30:00', 'America/New_York', '2026-07-01T14:30:00.000Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00.000Z'],
    ['2026-01-01 00:15:00', 'Asia/Kolkata', '2025-12-31T18:45:00.000Z'],
    // 01:30 happens twice in New York on the day clocks go back: the first one.
    ['2026-11-01 01:30:00', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['2026-02-29 10:00:00', 'UTC', undefined],
    ['2026-01-15 24:00:00', 'UTC', undefined],
    ['2026-01-15T10:30:00', 'UTC', undefined],
    ['10:30:00', 'UTC', undefined],
  ];
  for (const [text, zone, expected] of cases) assert.equal(localDateTime(text, zone)?.toISOString(), expected, `${text} in ${zone}`);
});

test('calendar dates and zones are validated', () => {
  assert.equal(isCalendarDate('2026-02-28'), true);
  assert.equal(isCalendarDate('2026-02-29'), false);
  assert.equal(isCalendarDate('2028-02-29'), true);
  assert.equal(isCalendarDate('2026-2-1'), false);
  assert.equal(isTimeZone('Europe/Paris'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
  assert.equal(nextDay('2026-12-31'), '2027-01-01');
  assert.equal(nextDay('2028-02-28'), '2028-02-29');
});
