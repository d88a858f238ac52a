import type { PlanHours } from './plan-schema.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEKDAY: Record<string, (typeof DAYS)[number]> = {
  Sun: 'sun',
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
};

// Building a formatter costs far more than using one; zones are few, so keep them.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The weekday and `HH:MM` wall-clock time at `at` in `timeZone` (daylight saving included). */
export function localTime(
  at: Date,
  timeZone: string,
): { day: (typeof DAYS)[number]; time: string } {
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAY[part('weekday')] ?? 'sun', time: `${part('hour')}:${part('minute')}` };
}

/**
 * True when `at` falls in one of the day's ranges (start inclusive, end exclusive), read on
 * the tenant's wall clock, so a 09:00 opening stays 09:00 local across a DST change.
 */
export function isOpen(hours: PlanHours, at: Date): boolean {
  const { day, time } = localTime(at, hours.timezone);
  return (hours.weekly[day] ?? []).some(([start, end]) => time >= start && time < end);
}
