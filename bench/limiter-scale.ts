import type { Redis } from 'ioredis';
import { callControlId } from '../local/webhook-events.js';
import { createCapacityLimiter } from '../shared/capacity/limiter.js';
import { createRedisClient } from '../shared/redis/create-redis-client.js';
import { type BenchEnvironment, progress } from './environment.js';
import { type Row, type Section, verdict } from './report.js';
import { fmt, quantile } from './stats.js';

const SIZES = [10, 10_000] as const;
const CHUNKS = 150;
const PER_CHUNK = 10;
const quiet = { info() {}, error() {}, warn() {} };

async function evalshaStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  const info = await redis.info('commandstats');
  const match = /^cmdstat_evalsha:calls=(\d+),usec=(\d+)/m.exec(info);
  return { calls: Number(match?.[1] ?? 0), usec: Number(match?.[2] ?? 0) };
}

/**
 * Scale of the limiter: acquire latency with 10 and 10,000 active calls in the global and
 * tenant sets, and Redis server time per admitted acquire from `INFO commandstats`.
 */
export async function measureLimiterScale(env: BenchEnvironment): Promise<Section> {
  const redis = createRedisClient(
    { redisUrl: env.redisServer.url, redisCommandTimeoutMs: 5000 },
    { logger: quiet },
  );
  const results: Array<{ size: number; p50: number; p99: number; serverUs: number }> = [];
  for (const size of SIZES) {
    const capPrefix = `scale${size}`;
    const limiter = createCapacityLimiter(
      redis,
      {
        capPrefix,
        tenantmapPrefix: 'tenantmap',
        globalConcurrencyCap: 10_000_000,
        tenantConcurrencyCapDefault: 10_000_000,
        tenantCallsPerMinCapDefault: 10_000_000,
        capacityTtlSeconds: 3600,
      },
      quiet,
    );
    progress(`limiter-scale: filling ${size} active calls`);
    for (let filled = 0; filled < size; filled += 1000) {
      const ids = Array.from({ length: Math.min(1000, size - filled) }, callControlId);
      await Promise.all(ids.map((id) => limiter.tryAcquire(id, 'tenant-scale')));
    }
    if ((await redis.scard(`${capPrefix}:global:active`)) !== size) throw new Error('fill failed');
    // Chunks of acquires (timed, and the only EVALSHAs between the two INFO readings), each
    // followed by releases, so the sets stay between size and size + PER_CHUNK.
    const latencies: number[] = [];
    let calls = 0;
    let usec = 0;
    for (let chunk = 0; chunk < CHUNKS; chunk += 1) {
      const ids = Array.from({ length: PER_CHUNK }, callControlId);
      const before = await evalshaStats(redis);
      for (const id of ids) {
        const start = process.hrtime.bigint();
        const result = await limiter.tryAcquire(id, 'tenant-scale');
        latencies.push(Number(process.hrtime.bigint() - start) / 1000);
        if (!result.admitted) throw new Error(`not admitted: ${result.reason}`);
      }
      const after = await evalshaStats(redis);
      calls += after.calls - before.calls;
      usec += after.usec - before.usec;
      for (const id of ids) await limiter.release(id, { markEnded: false });
    }
    const warm = latencies.slice(PER_CHUNK);
    results.push({
      size,
      p50: quantile(warm, 0.5),
      p99: quantile(warm, 0.99),
      serverUs: usec / calls,
    });
  }
  redis.disconnect();
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  const p50Ratio = large.p50 / small.p50;
  const p99Ratio = large.p99 / small.p99;
  const serverRatio = large.serverUs / small.serverUs;
  const rows: Row[] = [
    {
      figure: 'acquire latency p50, 10,000 vs 10 active calls',
      measured: `${fmt(large.p50)} us`,
      baseline: `${fmt(small.p50)} us`,
      ratio: `${fmt(p50Ratio)}x`,
      goal: '<= 1.2x',
      status: verdict(p50Ratio <= 1.2),
    },
    {
      figure: 'acquire latency p99, 10,000 vs 10 active calls',
      measured: `${fmt(large.p99)} us`,
      baseline: `${fmt(small.p99)} us`,
      ratio: `${fmt(p99Ratio)}x`,
      goal: '<= 1.2x',
      status: verdict(p99Ratio <= 1.2),
    },
    {
      figure: 'Redis server time per admitted acquire (10 active)',
      measured: `${fmt(small.serverUs)} us`,
      baseline: '-',
      ratio: '-',
      goal: '<= 25 us',
      status: verdict(small.serverUs <= 25),
    },
    {
      figure: 'Redis server time per admitted acquire (10,000 active)',
      measured: `${fmt(large.serverUs)} us`,
      baseline: `${fmt(small.serverUs)} us at 10`,
      ratio: `${fmt(serverRatio)}x`,
      goal: '<= 25 us',
      status: verdict(large.serverUs <= 25),
    },
  ];
  return {
    title: 'Limiter scale',
    method:
      `For each size, that many calls are admitted into one tenant (global and tenant sets both ` +
      `hold them), then ${CHUNKS} chunks of ${PER_CHUNK} admitted \`tryAcquire\` calls are timed ` +
      'one by one (client-observed latency through the project limiter and ioredis), each chunk ' +
      'followed by releases so the sets stay at size..size+10. Server time is the ' +
      '`cmdstat_evalsha` usec delta over calls delta, read around the acquires only.',
    rows,
    notes: [],
  };
}
