import type { Redis } from 'ioredis';
import { createTenantPlanResolver } from '../../shared/tenants/resolve-tenant-plan.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { isolatedRedis } from '../support/redis.js';

let redis: Redis;
beforeAll(async () => {
  ({ redis } = await isolatedRedis());
  await redis.set('tenantmap:did:+13125550199', 'acme');
  await redis.set('custom:did:+13125550100', 'globex');
});
afterAll(() => redis.disconnect());

function resolve(to: string | null | undefined, tenantmapPrefix = 'tenantmap') {
  const logger = new RecordingLogger();
  const resolver = createTenantPlanResolver(
    redis,
    { tenantmapPrefix, tenantcfgPrefix: 'tenantcfg' },
    logger,
  );
  return { logger, result: resolver(to).then((r) => r.tenantId) };
}

describe('tenant resolution (the contract DID mapping)', () => {
  it('returns the tenant mapped to the dialed number', async () => {
    await expect(resolve('+13125550199').result).resolves.toBe('acme');
  });

  it('trims and removes all whitespace before the lookup', async () => {
    await expect(resolve('  +1 312\t555 0199\n').result).resolves.toBe('acme');
  });

  it('uses TENANTMAP_PREFIX for the key', async () => {
    await expect(resolve('+13125550100', 'custom').result).resolves.toBe('globex');
    await expect(resolve('+13125550100').result).resolves.toBeNull();
  });

  it('returns null for an unmapped number, without logging', async () => {
    const { logger, result } = resolve('+15550000000');
    await expect(result).resolves.toBeNull();
    expect(logger.entries).toEqual([]);
  });

  it('treats an empty mapping value as unmapped', async () => {
    await redis.set('tenantmap:did:+13125550188', '');
    await expect(resolve('+13125550188').result).resolves.toBeNull();
  });

  it.each([[''], ['   '], [null], [undefined]])(
    'returns null for %p without touching Redis',
    async (to) => {
      const logger = new RecordingLogger();
      const sent: string[][] = [];
      const fake = {
        defineCommand: () => {},
        resolveTenantPlan: async (...args: string[]) => {
          sent.push(args);
          return ['acme', 'none'];
        },
      };
      const resolver = createTenantPlanResolver(
        fake as never,
        { tenantmapPrefix: 'tenantmap', tenantcfgPrefix: 'tenantcfg' },
        logger,
      );
      await expect(resolver(to)).resolves.toEqual({ tenantId: null, plan: { kind: 'none' } });
      expect(sent).toEqual([]);
    },
  );
});
