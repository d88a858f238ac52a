import type { Redis } from 'ioredis';
import {
  type CapacityLimiter,
  createCapacityLimiter,
  type LimiterSettings,
} from '../../shared/capacity/limiter.js';
import { CapacityEvaluationError } from '../../shared/errors.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { isolatedRedis, uniquePrefixes } from '../support/redis.js';

const defaults = {
  globalConcurrencyCap: 100,
  tenantConcurrencyCapDefault: 2,
  tenantCallsPerMinCapDefault: 50,
  capacityTtlSeconds: 600,
};

let redis: Redis;
beforeAll(async () => {
  ({ redis } = await isolatedRedis());
});
afterAll(() => redis.disconnect());

function limiterWith(overrides: Partial<LimiterSettings> = {}, now?: () => Date) {
  const logger = new RecordingLogger();
  const settings = { ...defaults, ...uniquePrefixes(), ...overrides };
  const limiter = createCapacityLimiter(redis, settings, logger, now);
  return { limiter, logger, settings };
}

async function acquireMany(limiter: CapacityLimiter, tenant: string, ids: string[]) {
  const results = [];
  for (const id of ids) results.push(await limiter.tryAcquire(id, tenant));
  return results;
}

describe('the contract keys', () => {
  const fixedNow = new Date('2026-03-04T05:06:59.999Z');

  beforeAll(async () => {
    await redis.flushdb();
    const { limiter } = limiterWith(
      { capPrefix: 'cap', tenantmapPrefix: 'tenantmap', capacityTtlSeconds: 600 },
      () => fixedNow,
    );
    await expect(limiter.tryAcquire('v3:call-1', 'acme')).resolves.toMatchObject({
      admitted: true,
    });
  });

  it('adds the call to the global active set, a set expiring after CAPACITY_TTL_SECONDS', async () => {
    expect(await redis.type('cap:global:active')).toBe('set');
    expect(await redis.smembers('cap:global:active')).toEqual(['v3:call-1']);
    expect(await redis.ttl('cap:global:active')).toBeGreaterThan(595);
    expect(await redis.ttl('cap:global:active')).toBeLessThanOrEqual(600);
  });

  it("adds the call to the tenant's active set with the same TTL", async () => {
    expect(await redis.type('cap:tenant:acme:active')).toBe('set');
    expect(await redis.smembers('cap:tenant:acme:active')).toEqual(['v3:call-1']);
    expect(await redis.ttl('cap:tenant:acme:active')).toBeGreaterThan(595);
  });

  it("counts the call in the tenant's RPM key for the zero-padded UTC minute, expiring in 120 s", async () => {
    expect(await redis.type('cap:tenant:acme:rpm:202603040506')).toBe('string');
    expect(await redis.get('cap:tenant:acme:rpm:202603040506')).toBe('1');
    expect(await redis.ttl('cap:tenant:acme:rpm:202603040506')).toBeGreaterThan(115);
    expect(await redis.ttl('cap:tenant:acme:rpm:202603040506')).toBeLessThanOrEqual(120);
  });

  it('writes nothing under the tenantmap prefix (the overrides are read-only)', async () => {
    expect(await redis.keys('tenantmap:*')).toEqual([]);
  });

  it('keeps its additive keys (leases, call record) beside the contract keys', async () => {
    expect(await redis.type('cap:global:leases')).toBe('zset');
    expect(await redis.type('cap:tenant:acme:leases')).toBe('zset');
    expect(await redis.get('cap:call:v3:call-1')).toBe('acme');
    expect(await redis.ttl('cap:call:v3:call-1')).toBeGreaterThan(595);
    expect((await redis.keys('*')).sort()).toEqual([
      'cap:call:v3:call-1',
      'cap:global:active',
      'cap:global:leases',
      'cap:tenant:acme:active',
      'cap:tenant:acme:leases',
      'cap:tenant:acme:rpm:202603040506',
    ]);
  });
});

describe('cap overrides', () => {
  it.each([['abc'], ['0'], ['-2'], [''], [null]])(
    'falls back to the default concurrency cap when the override is %p',
    async (value) => {
      const { limiter, settings } = limiterWith({ tenantConcurrencyCapDefault: 2 });
      if (value !== null)
        await redis.set(`${settings.tenantmapPrefix}:tenant:t:cap:concurrency`, value);
      const results = await acquireMany(limiter, 't', ['a', 'b', 'c']);
      expect(results.map((r) => r.admitted)).toEqual([true, true, false]);
    },
  );

  it('uses a valid concurrency override instead of the default', async () => {
    const { limiter, settings } = limiterWith({ tenantConcurrencyCapDefault: 2 });
    await redis.set(`${settings.tenantmapPrefix}:tenant:t:cap:concurrency`, '3');
    const results = await acquireMany(limiter, 't', ['a', 'b', 'c', 'd']);
    expect(results.map((r) => r.admitted)).toEqual([true, true, true, false]);
  });

  it.each([['abc'], ['0'], ['-2'], [''], [null]])(
    'falls back to the default calls-per-minute cap when the override is %p',
    async (value) => {
      const { limiter, settings } = limiterWith({
        tenantCallsPerMinCapDefault: 2,
        tenantConcurrencyCapDefault: 10,
      });
      if (value !== null) await redis.set(`${settings.tenantmapPrefix}:tenant:t:cap:rpm`, value);
      const results = await acquireMany(limiter, 't', ['a', 'b', 'c']);
      expect(results).toEqual([
        { admitted: true, tenantId: 't', repeat: false },
        { admitted: true, tenantId: 't', repeat: false },
        { admitted: false, reason: 'tenant_rate_limited' },
      ]);
    },
  );

  it('uses a valid calls-per-minute override instead of the default', async () => {
    const { limiter, settings } = limiterWith({
      tenantCallsPerMinCapDefault: 2,
      tenantConcurrencyCapDefault: 10,
    });
    await redis.set(`${settings.tenantmapPrefix}:tenant:t:cap:rpm`, '3');
    const results = await acquireMany(limiter, 't', ['a', 'b', 'c', 'd']);
    expect(results.map((r) => r.admitted)).toEqual([true, true, true, false]);
  });

  it('leaves no partial writes when it denies', async () => {
    const { limiter, settings } = limiterWith({ tenantConcurrencyCapDefault: 1 });
    await acquireMany(limiter, 't', ['a', 'b']);
    expect(await redis.smembers(`${settings.capPrefix}:global:active`)).toEqual(['a']);
    expect(await redis.exists(`${settings.capPrefix}:call:b`)).toBe(0);
  });
});

describe('the RPM counter', () => {
  it("is the current UTC minute's key", async () => {
    const { limiter, settings } = limiterWith();
    const before = new Date();
    await limiter.tryAcquire('a', 't');
    const [key] = await redis.keys(`${settings.capPrefix}:tenant:t:rpm:*`);
    const minute = (d: Date) => d.toISOString().slice(0, 16).replace(/[-T:]/g, '');
    expect([minute(before), minute(new Date())]).toContain(key?.split(':').pop());
  });

  it('keeps the TTL set at creation: later INCRs do not push it back', async () => {
    const now = new Date('2026-01-01T00:00:30Z');
    const { limiter, settings } = limiterWith({ tenantConcurrencyCapDefault: 10 }, () => now);
    const key = `${settings.capPrefix}:tenant:t:rpm:202601010000`;
    await limiter.tryAcquire('a', 't');
    await redis.expire(key, 60); // as if a minute had passed since creation
    await limiter.tryAcquire('b', 't');
    expect(await redis.get(key)).toBe('2');
    expect(await redis.ttl(key)).toBeLessThanOrEqual(60);
  });

  it('starts a new count in the next minute', async () => {
    let now = new Date('2026-01-01T00:00:59Z');
    const { limiter } = limiterWith(
      { tenantCallsPerMinCapDefault: 1, tenantConcurrencyCapDefault: 10 },
      () => now,
    );
    expect(await limiter.tryAcquire('a', 't')).toMatchObject({ admitted: true });
    expect(await limiter.tryAcquire('b', 't')).toEqual({
      admitted: false,
      reason: 'tenant_rate_limited',
    });
    now = new Date('2026-01-01T00:01:00Z');
    expect(await limiter.tryAcquire('b', 't')).toMatchObject({ admitted: true });
  });
});

describe('denials', () => {
  it('checks global concurrency first, then tenant concurrency, then calls per minute', async () => {
    const { limiter } = limiterWith({
      globalConcurrencyCap: 2,
      tenantConcurrencyCapDefault: 1,
      tenantCallsPerMinCapDefault: 1,
    });
    await limiter.tryAcquire('t1-a', 't1');
    await limiter.tryAcquire('t2-a', 't2');
    // Every cap is now reached for t1: the global one is reported.
    expect(await limiter.tryAcquire('t1-b', 't1')).toEqual({
      admitted: false,
      reason: 'global_at_capacity',
    });
    await limiter.release('t2-a');
    // Global has room; t1 is at its concurrency cap and its rate cap: concurrency is reported.
    expect(await limiter.tryAcquire('t1-b', 't1')).toEqual({
      admitted: false,
      reason: 'tenant_at_capacity',
    });
    await limiter.release('t1-a');
    // Only the rate cap is left.
    expect(await limiter.tryAcquire('t1-b', 't1')).toEqual({
      admitted: false,
      reason: 'tenant_rate_limited',
    });
  });

  it('logs "capacity denied" with its reason', async () => {
    const { limiter, logger } = limiterWith({ tenantConcurrencyCapDefault: 1 });
    await acquireMany(limiter, 'acme', ['a', 'b']);
    expect(logger.entries).toContainEqual({
      level: 'info',
      message: 'capacity denied',
      extra: { callControlId: 'b', tenantId: 'acme', reason: 'tenant_at_capacity' },
    });
  });
});

describe('idempotency and release', () => {
  it('re-acquiring a call that holds its slot returns ok and counts nothing twice', async () => {
    const { limiter, settings } = limiterWith();
    await limiter.tryAcquire('a', 't');
    expect(await limiter.tryAcquire('a', 't')).toEqual({
      admitted: true,
      tenantId: 't',
      repeat: true,
    });
    expect(await redis.scard(`${settings.capPrefix}:tenant:t:active`)).toBe(1);
    const [rpmKey] = await redis.keys(`${settings.capPrefix}:tenant:t:rpm:*`);
    expect(await redis.get(rpmKey as string)).toBe('1');
  });

  it('re-acquiring under another tenant (a remapped number) keeps the call with its first tenant', async () => {
    const { limiter, settings } = limiterWith();
    const p = settings.capPrefix;
    await limiter.tryAcquire('a', 'old');
    expect(await limiter.tryAcquire('a', 'new')).toEqual({
      admitted: true,
      tenantId: 'old',
      repeat: true,
    });
    expect(await redis.smembers(`${p}:tenant:old:active`)).toEqual(['a']);
    expect(await redis.exists(`${p}:tenant:new:active`, `${p}:call:a`)).toBe(1);
    expect(await limiter.release('a')).toBe(true);
    expect(await redis.keys(`${p}:tenant:*:active`)).toEqual([]);
  });

  it("release removes the call from both active sets and its leases, finding the tenant from the call's record", async () => {
    const { limiter, settings } = limiterWith();
    const p = settings.capPrefix;
    await limiter.tryAcquire('a', 't');
    await limiter.tryAcquire('b', 't');
    expect(await limiter.release('a')).toBe(true);
    expect(await redis.smembers(`${p}:global:active`)).toEqual(['b']);
    expect(await redis.smembers(`${p}:tenant:t:active`)).toEqual(['b']);
    expect(await redis.zrange(`${p}:global:leases`, '0', '-1')).toEqual(['b']);
    expect(await redis.zrange(`${p}:tenant:t:leases`, '0', '-1')).toEqual(['b']);
    expect(await redis.get(`${p}:call:a`)).toBe(''); // refuses a late acquire
  });

  it('is idempotent: a second release of the same call changes nothing', async () => {
    const { limiter, settings } = limiterWith();
    await acquireMany(limiter, 't', ['a', 'b']);
    expect(await limiter.release('a')).toBe(true);
    expect(await limiter.release('a')).toBe(false);
    expect(await redis.scard(`${settings.capPrefix}:tenant:t:active`)).toBe(1);
  });

  it('refuses a late acquire for a call released before it was acquired, holding no slot', async () => {
    const { limiter, settings } = limiterWith();
    expect(await limiter.release('early-hangup')).toBe(false);
    expect(await limiter.tryAcquire('early-hangup', 't')).toEqual({
      admitted: false,
      reason: 'call_ended',
    });
    expect(await redis.scard(`${settings.capPrefix}:global:active`)).toBe(0);
    expect(await redis.keys(`${settings.capPrefix}:tenant:t:rpm:*`)).toEqual([]);
    expect(await redis.get(`${settings.capPrefix}:call:early-hangup`)).toBe('');
    expect(await redis.ttl(`${settings.capPrefix}:call:early-hangup`)).toBeGreaterThan(0);
  });

  it('can release without the ended marker, so the call may be admitted again', async () => {
    const { limiter, settings } = limiterWith();
    await limiter.tryAcquire('a', 't');
    expect(await limiter.release('a', { markEnded: false })).toBe(true);
    expect(await redis.exists(`${settings.capPrefix}:call:a`)).toBe(0);
    expect(await limiter.tryAcquire('a', 't')).toMatchObject({ admitted: true });
  });

  it("uses the caller's tenant hint when the call record is gone", async () => {
    const { limiter, settings } = limiterWith();
    await limiter.tryAcquire('a', 't');
    await redis.del(`${settings.capPrefix}:call:a`);
    expect(await limiter.release('a', { tenantIdHint: 't' })).toBe(true);
    expect(await redis.scard(`${settings.capPrefix}:tenant:t:active`)).toBe(0);
  });
});

describe('leases', () => {
  it('reclaims a leaked call after CAPACITY_TTL_SECONDS even under steady traffic', async () => {
    const { limiter, settings } = limiterWith({
      capacityTtlSeconds: 1,
      tenantConcurrencyCapDefault: 10,
    });
    const active = `${settings.capPrefix}:tenant:t:active`;
    await limiter.tryAcquire('leaked', 't'); // its release is never delivered
    const deadline = Date.now() + 2500;
    let n = 0;
    while (Date.now() < deadline) {
      // Steady traffic keeps refreshing the whole set's TTL, so the set never expires.
      await limiter.tryAcquire(`steady-${n}`, 't');
      await limiter.release(`steady-${n}`);
      n += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await limiter.tryAcquire('probe', 't');
    expect(await redis.smembers(active)).toEqual(['probe']);
    expect(await redis.zscore(`${settings.capPrefix}:global:leases`, 'leaked')).toBeNull();
    expect(await redis.sismember(`${settings.capPrefix}:global:active`, 'leaked')).toBe(0);
  });

  it('gives a legacy member written without a lease one on first sight, and reclaims it after one TTL', async () => {
    const { limiter, settings } = limiterWith({ capacityTtlSeconds: 1 });
    const p = settings.capPrefix;
    await redis.sadd(`${p}:global:active`, 'legacy');
    await redis.sadd(`${p}:tenant:t:active`, 'legacy');
    await limiter.tryAcquire('a', 't');
    expect(await redis.zscore(`${p}:global:leases`, 'legacy')).not.toBeNull();
    expect(await redis.zscore(`${p}:tenant:t:leases`, 'legacy')).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await limiter.tryAcquire('b', 't');
    expect(await redis.sismember(`${p}:global:active`, 'legacy')).toBe(0);
    expect(await redis.sismember(`${p}:tenant:t:active`, 'legacy')).toBe(0);
  });

  it('reclaims expired leases in bounded batches', async () => {
    const { limiter, settings } = limiterWith({
      globalConcurrencyCap: 1000,
      reclaimBatchSize: 100,
    });
    const p = settings.capPrefix;
    const stale = Array.from({ length: 250 }, (_, i) => `stale-${i}`);
    await redis.sadd(`${p}:global:active`, ...stale);
    await redis.zadd(`${p}:global:leases`, ...stale.flatMap((m) => ['1', m]));
    await limiter.tryAcquire('a', 't');
    expect(await redis.scard(`${p}:global:active`)).toBe(151); // 250 - 100 reclaimed + 'a'
    await limiter.tryAcquire('b', 't');
    expect(await redis.scard(`${p}:global:active`)).toBe(52);
  });
});

describe('Redis failures', () => {
  it('logs "capacity evaluation failed" and throws when the script cannot run', async () => {
    const logger = new RecordingLogger();
    const broken = {
      defineCommand: () => {},
      capacityAcquire: async () => {
        throw new Error('connection lost');
      },
    };
    const limiter = createCapacityLimiter(
      broken as never,
      { ...defaults, ...uniquePrefixes() },
      logger,
    );
    await expect(limiter.tryAcquire('a', 't')).rejects.toBeInstanceOf(CapacityEvaluationError);
    expect(logger.messages('error')).toEqual(['capacity evaluation failed']);
  });

  it('logs "capacity release failed" and lets the caller continue', async () => {
    const logger = new RecordingLogger();
    const broken = {
      defineCommand: () => {},
      capacityRelease: async () => {
        throw new Error('connection lost');
      },
    };
    const limiter = createCapacityLimiter(
      broken as never,
      { ...defaults, ...uniquePrefixes() },
      logger,
    );
    await expect(limiter.release('a')).resolves.toBeUndefined();
    expect(logger.messages('error')).toEqual(['capacity release failed']);
  });
});
