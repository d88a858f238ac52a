import { isOpen, localTime } from '../../shared/plans/opening-hours.js';
import type { PlanHours } from '../../shared/plans/plan-schema.js';

const chicago: PlanHours = {
  timezone: 'America/Chicago',
  weekly: { mon: [['09:00', '17:30']], sun: [['01:00', '04:00']], sat: [['20:00', '24:00']] },
  closed: { say: 'Closed.' },
};
const at = (iso: string) => new Date(iso);

describe('opening hours on the tenant wall clock', () => {
  it.each([
    // Monday before the spring change (CST, UTC-6) and after it (CDT, UTC-5): 09:00 local both.
    ['2026-03-02T14:59:00Z', false],
    ['2026-03-02T15:00:00Z', true],
    ['2026-03-09T13:59:00Z', false],
    ['2026-03-09T14:00:00Z', true],
    // Monday after the autumn change (back to CST): 17:30 local closes at 23:30 UTC.
    ['2026-11-02T23:29:00Z', true],
    ['2026-11-02T23:30:00Z', false],
  ])('opens and closes at the same local time across daylight saving: %s -> %p', (iso, open) => {
    expect(isOpen(chicago, at(iso))).toBe(open);
  });

  it('skips the hour that does not exist on the night clocks spring forward', () => {
    // Sunday 2026-03-08: 01:59 CST is followed by 03:00 CDT.
    expect(localTime(at('2026-03-08T07:59:00Z'), 'America/Chicago')).toEqual({
      day: 'sun',
      time: '01:59',
    });
    expect(localTime(at('2026-03-08T08:00:00Z'), 'America/Chicago')).toEqual({
      day: 'sun',
      time: '03:00',
    });
    expect(isOpen(chicago, at('2026-03-08T08:59:00Z'))).toBe(true); // 03:59 CDT
    expect(isOpen(chicago, at('2026-03-08T09:00:00Z'))).toBe(false); // 04:00 CDT
  });

  it('counts the repeated hour twice on the night clocks fall back', () => {
    // Sunday 2026-11-01: 01:00-02:00 happens first in CDT, then again in CST.
    expect(isOpen(chicago, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 CDT
    expect(isOpen(chicago, at('2026-11-01T07:30:00Z'))).toBe(true); // 01:30 CST
    expect(isOpen(chicago, at('2026-11-01T09:59:00Z'))).toBe(true); // 03:59 CST
    expect(isOpen(chicago, at('2026-11-01T10:00:00Z'))).toBe(false); // 04:00 CST
  });

  it('is open until midnight with a range ending at 24:00, and closed on unlisted days', () => {
    expect(isOpen(chicago, at('2026-11-29T05:59:00Z'))).toBe(true); // Sat 23:59 CST
    expect(isOpen(chicago, at('2026-11-25T18:00:00Z'))).toBe(false); // Wed noon
  });

  it('reads the weekday in the tenant zone, not in UTC', () => {
    // Monday 20:00 in Chicago is already Tuesday in UTC.
    const tokyo: PlanHours = {
      ...chicago,
      timezone: 'Asia/Tokyo',
      weekly: { tue: [['10:00', '11:00']] },
    };
    expect(isOpen(tokyo, at('2026-11-24T01:30:00Z'))).toBe(true); // Tue 10:30 JST
    expect(isOpen(chicago, at('2026-11-24T01:30:00Z'))).toBe(false); // Mon 19:30 CST
  });
});
