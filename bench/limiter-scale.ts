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
import { atMost, row, type Section } from './report.js';
import { fmt, microsSince, quantile } from './stats.js';

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
  const atSize = async (size: number) => {
    const capPrefix = `scale${size}`;
    const limiter = createCapacityLimiter(redis, uncappedLimiterSettings(env, capPrefix), QUIET);
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
    return { p50: quantile(warm, 0.5), p99: quantile(warm, 0.99), serverUs: usec / calls };
  };
  const small = await atSize(10);
  const large = await atSize(10_000);
  redis.disconnect();
  const us = (value: number) => `${fmt(value)} us`;
  const serverTime = (active: string, serverUs: number, baseline = '-', ratio = '-') => {
    const figure = `Redis server time per admitted acquire (${active} active)`;
    return row(figure, us(serverUs), baseline, ratio, ...atMost(serverUs, 25, ' us'));
  };
  const serverRatio = `${fmt(large.serverUs / small.serverUs)}x`;
  const rows = [
    ...(['p50', 'p99'] as const).map((q) => {
      const ratio = large[q] / small[q];
      const figure = `acquire latency ${q}, 10,000 vs 10 active calls`;
      return row(figure, us(large[q]), us(small[q]), `${fmt(ratio)}x`, ...atMost(ratio, 1.2));
    }),
    serverTime('10', small.serverUs),
    serverTime('10,000', large.serverUs, `${us(small.serverUs)} at 10`, serverRatio),
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
