import type { Redis } from 'ioredis';
import { getPlan, setPlan } from '../../shared/plans/plan-admin.js';
import { planDigest } from '../../shared/plans/plan-keys.js';
import { isolatedRedis } from '../support/redis.js';
import { tenantPlan } from '../support/tenant-plan.js';

let redis: Redis;
beforeAll(async () => {
  ({ redis } = await isolatedRedis());
});
afterAll(() => redis.disconnect());
beforeEach(() => redis.flushdb());

const text = (fields: Record<string, unknown> = {}) => JSON.stringify(tenantPlan('acme', fields));

describe('config-set and config-get', () => {
  it('writes the stored revision plus one, whatever revision the file claims', async () => {
    await setPlan(redis, 'tenantcfg', 'acme', text({ revision: 40 }));
    const second = await setPlan(redis, 'tenantcfg', 'acme', text({ revision: 40 }));

    expect(second).toEqual({
      ok: true,
      value: { tenantId: 'acme', revision: 2, previousRevision: 1 },
    });
    expect(JSON.parse((await redis.get('tenantcfg:acme')) as string).revision).toBe(2);
  });

  it('keeps a pinned copy of the plan it writes, and gives the replaced one a day more', async () => {
    await setPlan(redis, 'tenantcfg', 'acme', text({ greeting: { text: 'One.' } }));
    const first = (await redis.get('tenantcfg:acme')) as string;
    await setPlan(redis, 'tenantcfg', 'acme', text({ greeting: { text: 'Two.' } }));
    const second = (await redis.get('tenantcfg:acme')) as string;

    expect(await redis.get(`tenantcfg:acme:pinned:${planDigest(second)}`)).toBe(second);
    expect(await redis.ttl(`tenantcfg:acme:pinned:${planDigest(second)}`)).toBe(-1);
    expect(await redis.get(`tenantcfg:acme:pinned:${planDigest(first)}`)).toBe(first);
    expect(await redis.ttl(`tenantcfg:acme:pinned:${planDigest(first)}`)).toBeGreaterThan(86_000);
  });

  it('refuses to save when another save lands between its read and its write', async () => {
    await setPlan(redis, 'tenantcfg', 'acme', text());
    const racing = {
      get: async (key: string) => {
        const read = await redis.get(key);
        await redis.set(key, text({ revision: 2, greeting: { text: 'Theirs.' } }));
        return read;
      },
      eval: redis.eval.bind(redis),
    };

    const result = await setPlan(
      racing as never,
      'tenantcfg',
      'acme',
      text({ greeting: { text: 'Mine.' } }),
    );

    expect(result).toEqual({
      ok: false,
      error: 'revision conflict: the plan changed while saving (was 1); retry',
    });
    expect(await redis.get('tenantcfg:acme')).toContain('Theirs.');
  });

  it('reports a stored document the worker would not use, with its problems', async () => {
    await redis.set(
      'tenantcfg:acme',
      text({ revision: 9, onAdmit: { type: 'stream', url: 'wss://x' } }),
    );

    const found = await getPlan(redis, 'tenantcfg', 'acme');

    expect(found).toMatchObject({
      ok: true,
      value: { revision: 9, problems: ['onAdmit.url: must name a public host'] },
    });
  });
});
