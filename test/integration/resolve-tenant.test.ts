import type { Redis } from 'ioredis';
import { resolveTenantId } from '../../shared/tenants/resolve-tenant.js';
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
  return { logger, result: resolveTenantId({ redis, tenantmapPrefix, logger }, to) };
}

describe('resolveTenantId', () => {
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

  it.each([[''], ['   '], [null], [undefined]])(
    'returns null for %p without touching Redis',
    async (to) => {
      const logger = new RecordingLogger();
      const keysRead: string[] = [];
      const get = async (key: string) => {
        keysRead.push(key);
        return 'acme';
      };
      await expect(
        resolveTenantId({ redis: { get } as never, tenantmapPrefix: 'tenantmap', logger }, to),
      ).resolves.toBeNull();
      expect(keysRead).toEqual([]);
    },
  );
});
