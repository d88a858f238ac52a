import type { Redis } from 'ioredis';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { ADMIN_ENV, type AdminFunction, startAdminFunction } from '../support/admin-function.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { isolatedRedis } from '../support/redis.js';
import { tenantPlan } from '../support/tenant-plan.js';

let redis: Redis;
let admin: AdminFunction;
beforeAll(async () => {
  const db = await isolatedRedis();
  redis = db.redis;
  admin = await startAdminFunction(db.url);
});
afterAll(async () => {
  await admin.stop();
  redis.disconnect();
});
beforeEach(() => redis.flushdb());

/** Every key and its value (sets as sorted members), to prove a refusal wrote nothing. */
async function snapshot(pattern = '*'): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(pattern)).sort();
  const entries = await Promise.all(
    keys.map(async (key) => {
      const type = await redis.type(key);
      if (type === 'set') return [key, (await redis.smembers(key)).sort()];
      if (type === 'zset') return [key, await redis.zrange(key, '0', '-1', 'WITHSCORES')];
      return [key, await redis.get(key)];
    }),
  );
  return Object.fromEntries(entries);
}

/** Admits calls through the worker's own limiter, with the function's configured caps. */
async function admit(tenant: string, ...ids: string[]) {
  const limiter = createCapacityLimiter(
    redis,
    {
      capPrefix: 'cap',
      tenantmapPrefix: 'tenantmap',
      globalConcurrencyCap: 40,
      tenantConcurrencyCapDefault: 4,
      tenantCallsPerMinCapDefault: 25,
      capacityTtlSeconds: Number(ADMIN_ENV.CAPACITY_TTL_SECONDS),
    },
    new RecordingLogger(),
  );
  for (const id of ids)
    expect(await limiter.tryAcquire(id, tenant)).toMatchObject({ admitted: true });
}

describe('map and unmap', () => {
  it("maps a normalised number under the contract's key and audits the change", async () => {
    const answer = await admin.invoke({
      command: 'map',
      number: ' +1 312 555 0199 ',
      tenant: 'acme',
      requestedBy: 'arn:aws:iam::123456789012:user/ops',
    });

    expect(answer).toEqual({
      ok: true,
      result: { number: '+13125550199', tenant: 'acme', previous: null },
    });
    expect(await redis.get('tenantmap:did:+13125550199')).toBe('acme');
    expect(admin.auditLines().at(-1)).toMatchObject({
      level: 'INFO',
      command: 'map',
      tenant: 'acme',
      number: '********0199',
      requestedBy: 'arn:aws:iam::123456789012:user/ops',
      change: { before: null, after: 'acme' },
    });
  });

  it('reports the tenant a remapped number had, and audits before and after', async () => {
    await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'acme' });

    const answer = await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'globex' });

    expect(answer).toMatchObject({ ok: true, result: { tenant: 'globex', previous: 'acme' } });
    expect(admin.auditLines().at(-1)).toMatchObject({
      change: { before: 'acme', after: 'globex' },
    });
  });

  it('unmaps a number, and says when a number was not mapped', async () => {
    await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'acme' });

    const first = await admin.invoke({
      command: 'unmap',
      number: '+13125550199',
      requestedBy: 'me',
    });
    const second = await admin.invoke({ command: 'unmap', number: '+13125550199' });

    expect(first).toEqual({ ok: true, result: { number: '+13125550199', previous: 'acme' } });
    expect(second).toEqual({ ok: true, result: { number: '+13125550199', previous: null } });
    expect(await redis.exists('tenantmap:did:+13125550199')).toBe(0);
    expect(admin.auditLines().at(-2)).toMatchObject({
      command: 'unmap',
      tenant: 'acme',
      requestedBy: 'me',
      change: { before: 'acme', after: null },
    });
  });
});

describe('cap overrides', () => {
  it('sets one or both caps as plain integers and audits the old and new values', async () => {
    await admin.invoke({ command: 'set-cap', tenant: 'acme', rpm: 60 });

    const answer = await admin.invoke({
      command: 'set-cap',
      tenant: 'acme',
      concurrency: 5,
      rpm: 90,
    });

    expect(answer).toEqual({
      ok: true,
      result: {
        tenant: 'acme',
        before: { concurrency: null, rpm: 60 },
        after: { concurrency: 5, rpm: 90 },
      },
    });
    expect(await snapshot('tenantmap:*')).toEqual({
      'tenantmap:tenant:acme:cap:concurrency': '5',
      'tenantmap:tenant:acme:cap:rpm': '90',
    });
    expect(admin.auditLines().at(-1)).toMatchObject({
      command: 'set-cap',
      tenant: 'acme',
      change: { before: { concurrency: null, rpm: 60 }, after: { concurrency: 5, rpm: 90 } },
    });
  });

  it('clears both overrides when neither is named, and only the named one otherwise', async () => {
    await admin.invoke({ command: 'set-cap', tenant: 'acme', concurrency: 5, rpm: 90 });
    await admin.invoke({ command: 'set-cap', tenant: 'hooli', concurrency: 3, rpm: 30 });

    const named = await admin.invoke({ command: 'clear-cap', tenant: 'hooli', rpm: true });
    const both = await admin.invoke({ command: 'clear-cap', tenant: 'acme' });

    expect(named).toMatchObject({ ok: true, result: { cleared: ['rpm'], removed: 1 } });
    expect(both).toMatchObject({
      ok: true,
      result: { cleared: ['concurrency', 'rpm'], removed: 2 },
    });
    expect(await snapshot('tenantmap:*')).toEqual({
      'tenantmap:tenant:hooli:cap:concurrency': '3',
    });
    expect(admin.auditLines().at(-1)).toMatchObject({
      command: 'clear-cap',
      change: { before: { concurrency: 5, rpm: 90 }, after: { concurrency: null, rpm: null } },
    });
  });

  it('never touches the active sets, leases or RPM counters', async () => {
    await admit('acme', 'call-1', 'call-2');
    const capacity = await snapshot('cap:*');

    await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'acme' });
    await admin.invoke({ command: 'set-cap', tenant: 'acme', concurrency: 1, rpm: 1 });
    await admin.invoke({ command: 'clear-cap', tenant: 'acme' });
    await admin.invoke({
      command: 'import',
      mappings: [{ number: '+13125550100', tenant: 'acme' }],
    });
    await admin.invoke({ command: 'unmap', number: '+13125550199' });

    expect(await snapshot('cap:*')).toEqual(capacity);
  });
});

describe('status and calls', () => {
  it("reports active calls and calls this minute against the stack's caps, and which are overrides", async () => {
    await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'acme' });
    await admin.invoke({ command: 'set-cap', tenant: 'acme', rpm: 90 });
    await admit('acme', 'call-1', 'call-2');
    await admit('globex', 'call-3');

    const one = await admin.invoke({ command: 'status', tenant: 'acme' });
    const all = await admin.invoke({ command: 'status' });

    const acme = {
      tenant: 'acme',
      numbers: ['+13125550199'],
      active: 2,
      concurrencyCap: { value: 4, source: 'default' },
      callsThisMinute: 2,
      rpmCap: { value: 90, source: 'override' },
      expiredLeases: 0,
    };
    expect(one).toMatchObject({
      ok: true,
      result: { global: { active: 3, cap: 40, expiredLeases: 0 }, tenants: [acme] },
    });
    expect(all).toMatchObject({
      ok: true,
      result: { tenants: [acme, { tenant: 'globex', active: 1 }] },
    });
  });

  it('lists the live calls holding slots with their age and lease expiry, for a tenant or all', async () => {
    await admit('acme', 'call-1');
    await admit('globex', 'call-2');
    const [now] = await redis.time();

    const acme = await admin.invoke({ command: 'calls', tenant: 'acme' });
    const all = await admin.invoke({ command: 'calls' });

    const expiry = (Number(now) + 600) * 1000;
    expect(acme).toMatchObject({
      ok: true,
      result: { calls: [{ callControlId: 'call-1', tenant: 'acme' }] },
    });
    const [call] = (acme as { result: { calls: Array<Record<string, unknown>> } }).result.calls;
    expect(call?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(call?.ageSeconds).toBeLessThan(5);
    expect(Date.parse(call?.leaseExpiresAt as string)).toBeGreaterThanOrEqual(expiry - 5000);
    expect(Date.parse(call?.leaseExpiresAt as string)).toBeLessThanOrEqual(expiry + 1000);
    expect(call?.leaseExpired).toBe(false);
    const ids = (all as { result: { calls: Array<{ callControlId: string; tenant: string }> } })
      .result.calls;
    expect(ids.map((c) => [c.callControlId, c.tenant]).sort()).toEqual([
      ['call-1', 'acme'],
      ['call-2', 'globex'],
    ]);
  });

  it('shows a call whose lease ran out as expired', async () => {
    await admit('acme', 'call-1');
    await redis.zadd('cap:tenant:acme:leases', 1, 'call-1');

    const answer = await admin.invoke({ command: 'calls', tenant: 'acme' });

    expect(answer).toMatchObject({
      ok: true,
      result: {
        calls: [
          {
            callControlId: 'call-1',
            leaseExpiresAt: '1970-01-01T00:00:01.000Z',
            leaseExpired: true,
          },
        ],
      },
    });
  });

  it('lists the mapped numbers', async () => {
    await admin.invoke({ command: 'map', number: '+13125550199', tenant: 'acme' });
    await admin.invoke({ command: 'map', number: '+13125550100', tenant: 'globex' });

    expect(await admin.invoke({ command: 'list' })).toEqual({
      ok: true,
      result: {
        numbers: [
          { number: '+13125550100', tenant: 'globex' },
          { number: '+13125550199', tenant: 'acme' },
        ],
      },
    });
  });
});

describe('import', () => {
  const mappings = [
    { number: '+13125550100', tenant: 'acme' },
    { number: '+1 312 555 0101', tenant: 'acme' },
    { number: '+13125550102', tenant: 'globex' },
  ];

  it('reports what a dry run would change and writes nothing', async () => {
    await admin.invoke({ command: 'map', number: '+13125550100', tenant: 'acme' });
    await admin.invoke({ command: 'map', number: '+13125550102', tenant: 'hooli' });
    const before = await snapshot();
    const audited = admin.auditLines().length;

    const answer = await admin.invoke({ command: 'import', mappings, dryRun: true });

    expect(answer).toEqual({
      ok: true,
      result: {
        dryRun: true,
        changes: [
          { number: '+13125550101', tenant: 'acme', previous: null },
          { number: '+13125550102', tenant: 'globex', previous: 'hooli' },
        ],
        unchanged: 1,
      },
    });
    expect(await snapshot()).toEqual(before);
    expect(admin.auditLines()).toHaveLength(audited);
  });

  it('writes the changed mappings and audits each one', async () => {
    await admin.invoke({ command: 'map', number: '+13125550102', tenant: 'hooli' });

    const answer = await admin.invoke({ command: 'import', mappings, requestedBy: 'ops' });

    expect(answer).toMatchObject({ ok: true, result: { dryRun: false, unchanged: 0 } });
    expect(await snapshot('tenantmap:*')).toEqual({
      'tenantmap:did:+13125550100': 'acme',
      'tenantmap:did:+13125550101': 'acme',
      'tenantmap:did:+13125550102': 'globex',
    });
    expect(admin.auditLines().slice(-3)).toEqual([
      expect.objectContaining({
        command: 'import',
        number: '********0100',
        change: { before: null, after: 'acme' },
      }),
      expect.objectContaining({ command: 'import', number: '********0101', requestedBy: 'ops' }),
      expect.objectContaining({
        command: 'import',
        tenant: 'globex',
        change: { before: 'hooli', after: 'globex' },
      }),
    ]);
  });
});

describe('bad input', () => {
  it.each([
    [
      {},
      'command: is required: one of map, unmap, set-cap, clear-cap, status, calls, list, import, config-set, config-get, config-validate',
    ],
    [
      { command: 'frobnicate' },
      'command: unknown command "frobnicate": one of map, unmap, set-cap, clear-cap, status, calls, list, import, config-set, config-get, config-validate',
    ],
    [
      'map',
      'request: must be a JSON object with "command": one of map, unmap, set-cap, clear-cap, status, calls, list, import, config-set, config-get, config-validate',
    ],
    [{ command: 'map', number: '+13125550199' }, 'tenant: is required'],
    [
      { command: 'map', number: '555-0199', tenant: 'acme' },
      'number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "555-0199"',
    ],
    [
      { command: 'map', number: '+13125550199', tenant: 'ac:me' },
      `tenant: must be a non-empty id without ':' or whitespace, got "ac:me"`,
    ],
    [
      { command: 'map', number: '+13125550199', tenant: 'ac me' },
      `tenant: must be a non-empty id without ':' or whitespace, got "ac me"`,
    ],
    [
      { command: 'map', number: '+13125550199', tenant: 'acme', tennant: 'x' },
      'tennant: unknown field',
    ],
    [
      { command: 'map', number: '+13125550199', tenant: 'acme', requestedBy: 7 },
      'requestedBy: must be a string',
    ],
    [{ command: 'unmap', number: 13125550199 }, 'number: must be a string'],
    [
      { command: 'set-cap', tenant: 'acme' },
      'concurrency, rpm: give one or both (positive integers)',
    ],
    [
      { command: 'set-cap', tenant: 'acme', concurrency: 5, rpm: 0 },
      'rpm: must be a positive integer, got 0',
    ],
    [
      { command: 'set-cap', tenant: 'acme', concurrency: 1.5 },
      'concurrency: must be a positive integer, got 1.5',
    ],
    [
      { command: 'set-cap', tenant: '', rpm: 5 },
      `tenant: must be a non-empty id without ':' or whitespace, got ""`,
    ],
    [
      { command: 'clear-cap', tenant: 'acme', rpm: 'yes' },
      'rpm: Invalid input: expected boolean, received string',
    ],
    [
      { command: 'status', tenant: 'a:b' },
      `tenant: must be a non-empty id without ':' or whitespace, got "a:b"`,
    ],
    [
      { command: 'calls', tenant: ' ' },
      `tenant: must be a non-empty id without ':' or whitespace, got " "`,
    ],
    [
      { command: 'import', mappings: 'x' },
      'mappings: Invalid input: expected array, received string',
    ],
    [
      {
        command: 'import',
        mappings: [
          { number: '+13125550100', tenant: 'acme' },
          { number: '+1312', tenant: 'acme' },
        ],
      },
      'mappings[1].number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "+1312"',
    ],
    [
      {
        command: 'import',
        mappings: [
          { number: '+13125550100', tenant: 'acme' },
          { number: '+1 312 555 0100', tenant: 'globex' },
        ],
      },
      'mappings[1].number: maps +13125550100 to "globex" after mapping it to "acme"',
    ],
  ])(
    'refuses %j with an error naming the field and the rule, writing nothing',
    async (request, error) => {
      await admin.invoke({ command: 'set-cap', tenant: 'acme', rpm: 60 });
      const before = await snapshot();
      const audited = admin.auditLines().length;

      const answer = await admin.invoke(request);

      expect(answer).toEqual({ ok: false, error });
      expect(await snapshot()).toEqual(before);
      expect(admin.auditLines()).toHaveLength(audited);
    },
  );
});

describe('tenant plan commands', () => {
  const plan = (overrides = {}) => {
    const { revision: _stored, ...doc } = tenantPlan('acme', overrides);
    return doc;
  };

  it('config-set validates and saves a plan at the stored revision + 1, audited', async () => {
    const first = await admin.invoke({ command: 'config-set', tenant: 'acme', plan: plan() });
    const second = await admin.invoke({
      command: 'config-set',
      tenant: 'acme',
      plan: JSON.stringify(plan()),
      expectRevision: 1,
      requestedBy: 'arn:aws:iam::123456789012:user/ops',
    });

    expect(first).toEqual({
      ok: true,
      result: { tenantId: 'acme', revision: 1, previousRevision: 0 },
    });
    expect(second).toMatchObject({ ok: true, result: { revision: 2, previousRevision: 1 } });
    expect(JSON.parse((await redis.get('tenantcfg:acme')) as string)).toMatchObject({
      revision: 2,
    });
    expect(admin.auditLines().at(-1)).toMatchObject({
      command: 'config-set',
      tenant: 'acme',
      requestedBy: 'arn:aws:iam::123456789012:user/ops',
      change: { before: 1, after: 2 },
    });
  });

  it('config-get answers the stored plan and whether the worker would use it', async () => {
    await admin.invoke({ command: 'config-set', tenant: 'acme', plan: plan() });
    await redis.set('tenantcfg:globex', '{"schemaVersion":1,"tenantId":"globex","revision":1}');

    const stored = await admin.invoke({ command: 'config-get', tenant: 'acme' });
    const broken = await admin.invoke({ command: 'config-get', tenant: 'globex' });
    const none = await admin.invoke({ command: 'config-get', tenant: 'initech' });

    expect(stored).toMatchObject({ ok: true, result: { revision: 1, problems: [] } });
    expect(broken).toMatchObject({ ok: true, result: { revision: 1 } });
    expect((broken as { result: { problems: string[] } }).result.problems.length).toBeGreaterThan(
      0,
    );
    expect(none).toMatchObject({ ok: true, result: { document: null } });
  });

  it('refuses an invalid plan or a stale revision, naming path and rule, writing nothing', async () => {
    await admin.invoke({ command: 'config-set', tenant: 'acme', plan: plan() });
    const before = await snapshot();
    const bad = plan({ onAdmit: { type: 'transfer', to: '555' } });

    const invalid = await admin.invoke({ command: 'config-set', tenant: 'acme', plan: bad });
    const checked = await admin.invoke({ command: 'config-validate', tenant: 'acme', plan: bad });
    const stale = await admin.invoke({
      command: 'config-set',
      tenant: 'acme',
      plan: plan(),
      expectRevision: 0,
    });
    const unknownField = await admin.invoke({ command: 'config-get', tenant: 'acme', x: 1 });

    for (const answer of [invalid, checked]) {
      expect(answer).toMatchObject({ ok: false });
      expect((answer as { error: string }).error).toContain(
        'onAdmit.to: must be E.164 or a sip: URI',
      );
    }
    expect(stale).toEqual({ ok: false, error: 'revision conflict: expected 0, stored 1' });
    expect(unknownField).toEqual({ ok: false, error: 'x: unknown field' });
    expect(await snapshot()).toEqual(before);
  });

  it('config-validate writes nothing and reports the revision the plan would carry', async () => {
    const answer = await admin.invoke({ command: 'config-validate', tenant: 'acme', plan: plan() });

    expect(answer).toEqual({ ok: true, result: { tenantId: 'acme', revision: 1, valid: true } });
    expect(await redis.keys('tenantcfg:*')).toEqual([]);
  });
});
