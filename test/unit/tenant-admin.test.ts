import {
  type AdminRedis,
  clearCaps,
  mapNumber,
  parseCap,
  parseNumber,
  parseTenantId,
  setCaps,
  unmapNumber,
} from '../../shared/tenants/tenant-admin.js';

const prefixes = { tenantmapPrefix: 'tenantmap', capPrefix: 'cap' };

/** A Redis stand-in that records every write as `[command, ...args]`. */
function recordingRedis() {
  const writes: unknown[][] = [];
  const redis = {
    set: async (...args: unknown[]) => {
      writes.push(['set', ...args]);
      return null;
    },
    getdel: async (...args: unknown[]) => {
      writes.push(['getdel', ...args]);
      return null;
    },
    del: async (...args: unknown[]) => {
      writes.push(['del', ...args]);
      return args.length;
    },
    multi: () => {
      const queued: unknown[][] = [];
      const tx = {
        set: (...args: unknown[]) => {
          queued.push(['set', ...args]);
          return tx;
        },
        exec: async () => {
          writes.push(...queued);
          return [];
        },
      };
      return tx;
    },
  } as unknown as AdminRedis;
  return { redis, writes };
}

describe('number validation', () => {
  it('normalises as the contract does, then accepts E.164', () => {
    expect(parseNumber(' +1 312 555\t0199 ')).toEqual({ ok: true, value: '+13125550199' });
    expect(parseNumber('+4420794600')).toEqual({ ok: true, value: '+4420794600' });
  });

  it.each([
    '',
    '   ',
    '13125550199',
    '+1312',
    '+1234567890123456',
    '+1-312-555-0199',
    '+1312555019a',
  ])('refuses %j', (input) => {
    const result = parseNumber(input);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ error: expect.stringContaining('malformed number') });
  });
});

describe('tenant id validation', () => {
  it.each(['', 'ac:me', 'ac me', ' acme', 'acme\n'])('refuses %j', (input) => {
    expect(parseTenantId(input).ok).toBe(false);
  });

  it('accepts ids that are safe inside key names', () => {
    expect(parseTenantId('acme-01_eu')).toEqual({ ok: true, value: 'acme-01_eu' });
  });
});

describe('cap validation', () => {
  it.each(['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999'])('refuses %j', (input) => {
    expect(parseCap('rpm', input)).toEqual({ ok: false, error: expect.stringContaining('--rpm') });
  });

  it('accepts a positive integer and stores it in canonical form', () => {
    expect(parseCap('concurrency', '007')).toEqual({ ok: true, value: 7 });
  });
});

describe('admin writes', () => {
  it('writes nothing when the number or tenant is bad', async () => {
    const { redis, writes } = recordingRedis();

    const results = await Promise.all([
      mapNumber(redis, prefixes, '555-0199', 'acme'),
      mapNumber(redis, prefixes, '+13125550199', ''),
      mapNumber(redis, prefixes, '+13125550199', 'a:b'),
      unmapNumber(redis, prefixes, 'not a number'),
    ]);

    expect(results.map((r) => r.ok)).toEqual([false, false, false, false]);
    expect(writes).toEqual([]);
  });

  it('writes no cap when any cap is bad, even if the other is good', async () => {
    const { redis, writes } = recordingRedis();

    const result = await setCaps(redis, prefixes, 'acme', { concurrency: '5', rpm: '0' });

    expect(result).toEqual({ ok: false, error: '--rpm must be a positive integer, got "0"' });
    expect(writes).toEqual([]);
  });

  it('refuses set-cap without a cap, and cap changes for a bad tenant', async () => {
    const { redis, writes } = recordingRedis();

    expect((await setCaps(redis, prefixes, 'acme', {})).ok).toBe(false);
    expect((await setCaps(redis, prefixes, 'a b', { rpm: '5' })).ok).toBe(false);
    expect((await clearCaps(redis, prefixes, '', [])).ok).toBe(false);
    expect(writes).toEqual([]);
  });

  it("writes the contract's keys with plain string values", async () => {
    const { redis, writes } = recordingRedis();

    await mapNumber(redis, prefixes, '+1 312 555 0199', 'acme');
    await setCaps(redis, prefixes, 'acme', { concurrency: '05', rpm: '30' });
    await clearCaps(redis, prefixes, 'acme', []);
    await unmapNumber(redis, prefixes, '+13125550199');

    expect(writes).toEqual([
      ['set', 'tenantmap:did:+13125550199', 'acme', 'GET'],
      ['set', 'tenantmap:tenant:acme:cap:concurrency', '5'],
      ['set', 'tenantmap:tenant:acme:cap:rpm', '30'],
      ['del', 'tenantmap:tenant:acme:cap:concurrency', 'tenantmap:tenant:acme:cap:rpm'],
      ['getdel', 'tenantmap:did:+13125550199'],
    ]);
  });
});
