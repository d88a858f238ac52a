import type { Redis } from 'ioredis';
import { callControlId } from '../local/webhook-events.js';
import { createLeaseStore } from '../shared/capacity/lease-store.js';
import { createCapacityLimiter } from '../shared/capacity/limiter.js';
import { reconcileLeases } from '../shared/reconciler/reconcile-leases.js';
import {
  RECONCILE_DEFAULTS,
  type ReconcileSettings,
} from '../shared/reconciler/reconcile-settings.js';
import { sdkCallStatus } from '../test/support/reconciler.js';
import {
  type BenchEnvironment,
  benchRedisClient,
  commandStats,
  progress,
  QUIET,
  uncappedLimiterSettings,
} from './environment.js';
import { atMost, row, type Section } from './report.js';
import { fmt } from './stats.js';

const LIVE_CALLS = 10_000;

/** Total `usec` over every command in `INFO commandstats` (server time, scripts included). */
async function serverUsec(redis: Redis): Promise<number> {
  const stats = Object.entries(await commandStats(redis));
  return stats.reduce((total, [name, { usec }]) => (name === 'info' ? total : total + usec), 0);
}

/**
 * The reconciler's cost with 10,000 live calls: one run over every call (all due, batch
 * 10,000) and one run at the default batch, each against the Telnyx simulator. Redis server
 * time from `INFO commandstats` deltas; Telnyx requests as the simulator counted them.
 */
export async function measureReconcilerCost(env: BenchEnvironment): Promise<Section> {
  const redis = benchRedisClient(env, 10_000);
  const base = uncappedLimiterSettings(env, 'reconcile-bench');
  const limiter = createCapacityLimiter(redis, base, QUIET);
  progress(`reconciler-cost: admitting ${LIVE_CALLS} live calls`);
  for (let filled = 0; filled < LIVE_CALLS; filled += 1000) {
    const ids = Array.from({ length: 1000 }, callControlId);
    for (const id of ids) env.telnyx.startCall(id);
    await Promise.all(ids.map((id, i) => limiter.tryAcquire(id, `tenant-${i % 50}`)));
  }
  const callStatus = sdkCallStatus(env.telnyx.baseUrl, 5000);
  // A check period of 1 s: once a second has passed, every call is due.
  const run = async (batchSize: number) => {
    const settings: ReconcileSettings = {
      ...RECONCILE_DEFAULTS,
      capacityTtlSeconds: base.capacityTtlSeconds,
      checkSeconds: 1,
      batchSize,
    };
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const leases = createLeaseStore(redis, base);
    const requestsBefore = env.telnyx.statusRequests.length;
    const usecBefore = await serverUsec(env.redis);
    const started = performance.now();
    const summary = await reconcileLeases({ leases, callStatus, limiter, logger: QUIET }, settings);
    const ms = performance.now() - started;
    const usec = (await serverUsec(env.redis)) - usecBefore;
    const requests = env.telnyx.statusRequests.length - requestsBefore;
    return { summary, ms, usec, requests };
  };
  progress('reconciler-cost: one run over all 10,000 calls');
  const all = await run(LIVE_CALLS);
  progress(`reconciler-cost: one run at the default batch (${RECONCILE_DEFAULTS.batchSize})`);
  const batch = await run(RECONCILE_DEFAULTS.batchSize);
  redis.disconnect();
  const perHourAtDefaults = 3600 / RECONCILE_DEFAULTS.checkSeconds;
  // Redis time the reconciler takes from the primary between two scheduled runs.
  const share = batch.usec / 1e6 / RECONCILE_DEFAULTS.intervalSeconds;

  const { batchSize, intervalSeconds } = RECONCILE_DEFAULTS;
  const ms = (usec: number) => `${fmt(usec / 1000)} ms`;
  const rows = [
    row(
      'Redis server time, one run over 10,000 due live calls',
      ms(all.usec),
      '-',
      `${fmt(all.usec / LIVE_CALLS)} us/call`,
    ),
    row(
      'Telnyx status requests, one run over 10,000 due live calls',
      String(all.requests),
      '-',
      '-',
      '<= 10,000 (one per call)',
      all.requests <= LIVE_CALLS && all.summary.renewed === LIVE_CALLS,
    ),
    row(
      `Redis server time, one run at the default batch (${batchSize}) of 10,000 live calls`,
      ms(batch.usec),
      `${intervalSeconds} s interval`,
      `${fmt(share * 100)}% of the interval`,
      '<= 1% of the interval',
      share <= 0.01,
    ),
    row(
      'Telnyx status requests, one run at the default batch of 10,000 live calls',
      String(batch.requests),
      '-',
      '-',
      ...atMost(batch.requests, batchSize, ''),
    ),
    row(
      'Telnyx status requests per live call per hour at the defaults (at most)',
      fmt(perHourAtDefaults),
      '-',
      '-',
      '3600 / RECONCILE_CHECK_SECONDS',
    ),
  ];
  return {
    title: 'Reconciler cost',
    method:
      `${LIVE_CALLS} calls admitted through the limiter into 50 tenants and known to the Telnyx ` +
      'simulator as alive; after 1 s every lease is due (check period 1 s). One `reconcileLeases` ' +
      'run with a batch of 10,000, then one at the default batch. Redis server time: `INFO ' +
      'commandstats` usec deltas over all commands (the due and renew scripts, the lock); Telnyx ' +
      'requests: `GET /v2/calls/{id}` counted by the simulator.',
    rows,
    notes: [
      `- run over all calls: ${all.summary.due} due, ${all.summary.renewed} renewed, wall ${fmt(all.ms)} ms (${RECONCILE_DEFAULTS.concurrency} requests in flight)`,
      `- run at the default batch: ${batch.summary.due} due, ${batch.summary.renewed} renewed, wall ${fmt(batch.ms)} ms`,
      '- The per-hour figure is the design bound (one request per call per check period, 300 s ' +
        'by default); docs/reliability.md measures it with the real handlers.',
    ],
  };
}
