import type { Redis } from 'ioredis';
import { callControlId } from '../local/webhook-events.js';
import { createCapacityLimiter } from '../shared/capacity/limiter.js';
import {
  type BenchEnvironment,
  benchRedisClient,
  commandStats,
  progress,
  QUIET,
  uncappedLimiterSettings,
} from './environment.js';
import { type Row, type Section, verdict } from './report.js';
import { fmt, microsSince, quantile } from './stats.js';

const SIZES = [10, 10_000] as const;
const CHUNKS = 150;
const PER_CHUNK = 10;

async function evalshaStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  return (await commandStats(redis)).evalsha ?? { calls: 0, usec: 0 };
}

/**
 * Scale of the limiter: acquire latency with 10 and 10,000 active calls in the global and
 * tenant sets, and Redis server time per admitted acquire from `INFO commandstats`.
 */
export async function measureLimiterScale(env: BenchEnvironment): Promise<Section> {
  const redis = benchRedisClient(env, 5000);
  const results: Array<{ size: number; p50: number; p99: number; serverUs: number }> = [];
  for (const size of SIZES) {
    const capPrefix = `scale${size}`;
    const limiter = createCapacityLimiter(redis, uncappedLimiterSettings(capPrefix), QUIET);
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
        latencies.push(microsSince(start));
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
  const serverRatio = large.serverUs / small.serverUs;
  const rows: Row[] = [
    ...(['p50', 'p99'] as const).map((q) => ({
      figure: `acquire latency ${q}, 10,000 vs 10 active calls`,
      measured: `${fmt(large[q])} us`,
      baseline: `${fmt(small[q])} us`,
      ratio: `${fmt(large[q] / small[q])}x`,
      goal: '<= 1.2x',
      status: verdict(large[q] / small[q] <= 1.2),
    })),
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
