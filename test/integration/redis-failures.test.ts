import type { Redis } from 'ioredis';
import { freePort, type RedisServer, startRedisServer } from '../../local/redis-server.js';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { CapacityEvaluationError, TenantResolveError } from '../../shared/errors.js';
import { createRedisClient } from '../../shared/redis/create-redis-client.js';
import { createTenantPlanResolver } from '../../shared/tenants/resolve-tenant-plan.js';
import { RecordingLogger } from '../support/recording-logger.js';

const PLAN_PREFIXES = { tenantmapPrefix: 'tenantmap', tenantcfgPrefix: 'tenantcfg' };

const COMMAND_TIMEOUT_MS = 300;
// Generous against a loaded CI machine, yet far below ioredis's unbounded default wait.
const BOUND_MS = 3000;

const settings = {
  capPrefix: 'cap',
  tenantmapPrefix: 'tenantmap',
  globalConcurrencyCap: 10,
  tenantConcurrencyCapDefault: 10,
  tenantCallsPerMinCapDefault: 10,
  capacityTtlSeconds: 60,
};

function clientFor(url: string, logger: RecordingLogger): Redis {
  return createRedisClient(
    { redisUrl: url, redisCommandTimeoutMs: COMMAND_TIMEOUT_MS },
    { logger },
  );
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T | Error; ms: number }> {
  const start = performance.now();
  const value = await work().catch((error: Error) => error);
  return { value, ms: performance.now() - start };
}

describe.each([
  ['down (nothing listening)', 'down'],
  ['hung (a paused server)', 'hung'],
] as const)('with Redis %s', (_label, mode) => {
  let server: RedisServer | undefined;
  let redis: Redis;
  let logger: RecordingLogger;

  beforeEach(async () => {
    logger = new RecordingLogger();
    if (mode === 'down') {
      redis = clientFor(`redis://127.0.0.1:${await freePort()}`, logger);
    } else {
      server = await startRedisServer();
      redis = clientFor(server.url, logger);
      await redis.ping();
      server.pause();
    }
  });

  afterEach(async () => {
    redis.disconnect();
    await server?.stop();
    server = undefined;
  });

  it('tenant resolution logs "tenant resolve failed" and throws within the command timeout', async () => {
    const resolve = createTenantPlanResolver(redis, PLAN_PREFIXES, logger);
    const { value, ms } = await timed(() => resolve('+13125550199'));
    expect(value).toBeInstanceOf(TenantResolveError);
    expect(logger.messages('error')).toEqual(['tenant resolve failed']);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('acquire logs "capacity evaluation failed" and throws within the command timeout', async () => {
    const limiter = createCapacityLimiter(redis, settings, logger);
    const { value, ms } = await timed(() => limiter.tryAcquire('call-1', 'acme'));
    expect(value).toBeInstanceOf(CapacityEvaluationError);
    expect(logger.messages('error')).toEqual(['capacity evaluation failed']);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('release logs "capacity release failed" and returns within the command timeout', async () => {
    const limiter = createCapacityLimiter(redis, settings, logger);
    const { value, ms } = await timed(() => limiter.release('call-1'));
    expect(value).toBeUndefined();
    expect(logger.messages('error')).toEqual(['capacity release failed']);
    expect(ms).toBeLessThan(BOUND_MS);
  });
});

it('works again once a paused Redis resumes, with the same client', async () => {
  const server = await startRedisServer();
  const logger = new RecordingLogger();
  const redis = clientFor(server.url, logger);
  try {
    const limiter = createCapacityLimiter(redis, settings, logger);
    server.pause();
    await expect(limiter.tryAcquire('call-1', 'acme')).rejects.toBeInstanceOf(
      CapacityEvaluationError,
    );
    server.resume();
    await expect(limiter.tryAcquire('call-2', 'acme')).resolves.toMatchObject({ admitted: true });
    expect(await redis.smembers('cap:global:active')).toContain('call-2');
  } finally {
    redis.disconnect();
    await server.stop();
  }
});
