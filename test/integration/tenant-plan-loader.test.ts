import type { Redis } from 'ioredis';
import { setPlan } from '../../shared/plans/plan-admin.js';
import { planDigest } from '../../shared/plans/plan-keys.js';
import { createPlanLoader } from '../../shared/plans/plan-loader.js';
import { createTenantPlanResolver } from '../../shared/tenants/resolve-tenant-plan.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { isolatedRedis } from '../support/redis.js';
import { tenantPlan } from '../support/tenant-plan.js';

let redis: Redis;
beforeAll(async () => {
  ({ redis } = await isolatedRedis());
});
afterAll(() => redis.disconnect());
beforeEach(() => redis.flushdb());

const DID = '+13125550199';
const settings = { tenantmapPrefix: 'tenantmap', tenantcfgPrefix: 'tenantcfg' };

/** One container's view: its resolver, its plan loader, its log and metrics, its clock. */
function container() {
  const logger = new RecordingLogger();
  let invalidCount = 0;
  let clock = Date.parse('2026-11-28T10:00:00Z');
  const resolve = createTenantPlanResolver(redis, settings, logger);
  const plans = createPlanLoader({
    redis,
    tenantcfgPrefix: 'tenantcfg',
    logger,
    metrics: { tenantConfigInvalid: () => (invalidCount += 1) },
    now: () => clock,
  });
  return {
    logger,
    plans,
    invalidCount: () => invalidCount,
    advance: (ms: number) => (clock += ms),
    /** What a call.initiated to DID would run under: the tenant and its plan's revision. */
    async admit() {
      const { tenantId, plan } = await resolve(DID);
      const chosen = tenantId === null ? null : plans.choose(tenantId, plan);
      return { tenantId, revision: chosen?.plan.revision ?? null, digest: chosen?.digest };
    },
  };
}
const store = (doc: unknown) =>
  redis.set('tenantcfg:acme', typeof doc === 'string' ? doc : JSON.stringify(doc));
const warnings = (logger: RecordingLogger) =>
  logger.entries.filter((e) => e.message === 'tenant config invalid');

beforeEach(() => redis.set(`tenantmap:did:${DID}`, 'acme'));

describe('reading tenant plans', () => {
  it("runs today's behaviour when the tenant has no plan", async () => {
    const c = container();
    await expect(c.admit()).resolves.toEqual({
      tenantId: 'acme',
      revision: null,
      digest: undefined,
    });
    expect(c.logger.entries).toEqual([]);
  });

  it('reads no plan for an unmapped number', async () => {
    await redis.del(`tenantmap:did:${DID}`);
    await store(tenantPlan('acme'));
    await expect(container().admit()).resolves.toMatchObject({ tenantId: null, revision: null });
  });

  it('reads a valid plan and the SHA-1 of its document, writing nothing', async () => {
    await store(tenantPlan('acme', { revision: 3 }));
    const keysBefore = await redis.dbsize();

    const { revision, digest } = await container().admit();

    expect(revision).toBe(3);
    expect(digest).toBe(planDigest((await redis.get('tenantcfg:acme')) as string));
    expect(await redis.dbsize()).toBe(keysBefore);
  });

  it('resolves and reads the plan while Redis refuses writes (as during a failover)', async () => {
    await store(tenantPlan('acme', { revision: 3 }));
    const c = container();
    await redis.client('PAUSE', 5_000, 'WRITE');
    try {
      await expect(c.admit()).resolves.toMatchObject({ tenantId: 'acme', revision: 3 });
    } finally {
      await redis.client('UNPAUSE');
    }
  });

  it("falls back to today's behaviour for a broken plan it never saw valid, warning without values", async () => {
    const c = container();
    await store(
      tenantPlan('acme', { revision: 5, onAdmit: { type: 'transfer', to: 'secret-desk' } }),
    );

    await expect(c.admit()).resolves.toMatchObject({ tenantId: 'acme', revision: null });

    expect(warnings(c.logger)).toEqual([
      {
        level: 'warn',
        message: 'tenant config invalid',
        extra: {
          tenantId: 'acme',
          revision: 5,
          problems: ['onAdmit.to: must be E.164 or a sip: URI'],
          fallbackRevision: null,
        },
      },
    ]);
    expect(JSON.stringify(c.logger.entries)).not.toContain('secret-desk');
    expect(c.invalidCount()).toBe(1);
  });

  it('keeps the last valid revision this container saw when the document breaks', async () => {
    const c = container();
    await store(tenantPlan('acme', { revision: 1 }));
    const before = await c.admit();
    await store('{"schemaVersion":1,"tenantId":"acme","revision":2,');

    const after = await c.admit();

    expect(after).toEqual(before);
    expect(warnings(c.logger)[0]?.extra).toMatchObject({
      revision: undefined,
      problems: ['(document): must be valid JSON'],
      fallbackRevision: 1,
    });
  });

  it.each([
    ['over 16 KiB', () => store(tenantPlan('acme', { revision: 2, pad: 'x'.repeat(17_000) }))],
    ['for another tenant', () => store(tenantPlan('globex', { revision: 2 }))],
    [
      'of an unknown schema version',
      () => store(tenantPlan('acme', { revision: 2, schemaVersion: 2 })),
    ],
  ])('treats a document %s as invalid', async (_label, write) => {
    const c = container();
    await store(tenantPlan('acme', { revision: 1 }));
    await c.admit();
    await write();

    await expect(c.admit()).resolves.toMatchObject({ revision: 1 });
    expect(warnings(c.logger)).toHaveLength(1);
  });

  it('warns at most once a minute per tenant, and counts every invalid read', async () => {
    const c = container();
    await store(tenantPlan('acme', { locale: { speed: 1 } }));

    await c.admit();
    c.advance(59_000);
    await c.admit();
    c.advance(1_000);
    await c.admit();

    expect(warnings(c.logger)).toHaveLength(2);
    expect(c.invalidCount()).toBe(3);
  });

  it('keeps admitting when the plan key cannot be read, using the last valid revision', async () => {
    const c = container();
    await store(tenantPlan('acme', { revision: 4 }));
    await c.admit();
    await redis.del('tenantcfg:acme');
    await redis.hset('tenantcfg:acme', 'revision', '5');

    await expect(c.admit()).resolves.toMatchObject({ tenantId: 'acme', revision: 4 });
    expect(c.logger.entries).toEqual([
      expect.objectContaining({ level: 'error', message: 'tenant config read failed' }),
    ]);
    expect(c.logger.entries[0]?.extra?.error).toMatch(/WRONGTYPE/);
  });

  it("goes back to today's behaviour when the plan is deleted", async () => {
    const c = container();
    await store(tenantPlan('acme'));
    await c.admit();
    await redis.del('tenantcfg:acme');
    await expect(c.admit()).resolves.toMatchObject({ revision: null });
  });
});

describe('plans pinned per call', () => {
  const save = (fields: Record<string, unknown>) =>
    setPlan(redis, 'tenantcfg', 'acme', JSON.stringify(tenantPlan('acme', fields)));

  it('gives a later step the revision read at call.initiated, even in another container after an edit', async () => {
    await save({ greeting: { text: 'Old greeting.' } });
    const { digest } = await container().admit();
    await save({ greeting: { text: 'New greeting.' } });

    const plan = await container().plans.pinned('acme', digest as string);

    expect(plan).toMatchObject({ revision: 1, greeting: { text: 'Old greeting.' } });
  });

  it('finds a plan written without config-set (no pinned copy) while it is unchanged', async () => {
    await store(tenantPlan('acme', { revision: 7 }));
    const { digest } = await container().admit();

    await expect(container().plans.pinned('acme', digest as string)).resolves.toMatchObject({
      revision: 7,
    });
    await store(tenantPlan('acme', { revision: 8 }));
    await expect(container().plans.pinned('acme', digest as string)).resolves.toBeNull();
  });

  it("reports a pinned plan that is gone, so the call keeps today's behaviour", async () => {
    const c = container();
    await expect(c.plans.pinned('acme', 'a'.repeat(40))).resolves.toBeNull();
    expect(c.logger.messages('warn')).toEqual(['tenant plan unavailable']);
  });
});
