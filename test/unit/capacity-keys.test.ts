import { capacityKeys, utcMinute } from '../../shared/capacity/keys.js';
import { normalizeNumber } from '../../shared/tenants/normalize-number.js';

describe('utcMinute', () => {
  it('formats the UTC minute zero-padded as YYYYMMDDHHmm', () => {
    expect(utcMinute(new Date('2026-01-02T03:04:59.999Z'))).toBe('202601020304');
  });

  it('uses UTC, not the local time zone', () => {
    expect(utcMinute(new Date('2026-12-31T23:59:00-05:00'))).toBe('202701010459');
  });
});

describe('capacityKeys', () => {
  const keys = capacityKeys({ capPrefix: 'cap', tenantmapPrefix: 'tenantmap' });

  it("names the contract's keys exactly", () => {
    expect(keys.globalActive()).toBe('cap:global:active');
    expect(keys.tenantActive('acme')).toBe('cap:tenant:acme:active');
    expect(keys.tenantRpm('acme', new Date('2026-07-08T09:10:11Z'))).toBe(
      'cap:tenant:acme:rpm:202607080910',
    );
    expect(keys.concurrencyOverride('acme')).toBe('tenantmap:tenant:acme:cap:concurrency');
    expect(keys.rpmOverride('acme')).toBe('tenantmap:tenant:acme:cap:rpm');
  });
});

describe('normalizeNumber', () => {
  it('trims, then removes every whitespace character', () => {
    expect(normalizeNumber(' +1 (312) 555\u00a00199\t')).toBe('+1(312)5550199');
  });
});
