import type { Redis } from 'ioredis';
import Telnyx from 'telnyx';
import { createLeaseStore } from '../../shared/capacity/lease-store.js';
import { createCapacityLimiter, type LimiterSettings } from '../../shared/capacity/limiter.js';
import { type ReconcileDeps, reconcileLeases } from '../../shared/reconciler/reconcile-leases.js';
import type { ReconcileMetrics } from '../../shared/reconciler/reconcile-metrics.js';
import {
  RECONCILE_DEFAULTS,
  type ReconcileSettings,
} from '../../shared/reconciler/reconcile-settings.js';
import type { CallStatusSource } from '../../shared/telnyx/call-status.js';
import { createTelnyxCallStatus } from '../../shared/telnyx/telnyx-call-status.js';
import { RecordingLogger } from './recording-logger.js';
import { uniquePrefixes } from './redis.js';

/** Counts what a run reported, so tests assert on the metrics an operator sees. */
export class CountingMetrics implements ReconcileMetrics {
  renewedTotal = 0;
  reclaimedTotal = 0;
  unknownTotal = 0;
  renewed = (count: number) => {
    this.renewedTotal += count;
  };
  reclaimed = (count: number) => {
    this.reclaimedTotal += count;
  };
  statusUnknown = (count: number) => {
    this.unknownTotal += count;
  };
}

/** Call status through the real SDK against `baseURL` (the simulator, or a closed port). */
export function sdkCallStatus(baseURL: string, timeoutMs = 500): CallStatusSource {
  return createTelnyxCallStatus(
    new Telnyx({ apiKey: 'KEY_test_not_a_secret', baseURL, maxRetries: 0, timeout: timeoutMs }),
  );
}

/** Limiter and reconciler settings for one test; anything may be overridden. */
export type ReconcilerTestSettings = LimiterSettings & ReconcileSettings;

/**
 * A limiter and a reconciler sharing `redis` and fresh key prefixes: `acquire` admits calls
 * as the worker would, `run` is one reconciler run (as the scheduled function does).
 */
export function reconcilerUnderTest(
  redis: Redis,
  callStatus: CallStatusSource,
  overrides: Partial<ReconcilerTestSettings> = {},
) {
  const settings: ReconcilerTestSettings = {
    ...uniquePrefixes(),
    globalConcurrencyCap: 1000,
    tenantConcurrencyCapDefault: 2,
    tenantCallsPerMinCapDefault: 1000,
    capacityTtlSeconds: 60,
    ...RECONCILE_DEFAULTS,
    intervalSeconds: 1,
    ...overrides,
  };
  const logger = new RecordingLogger();
  const metrics = new CountingMetrics();
  const limiter = createCapacityLimiter(redis, settings, logger);
  const deps: ReconcileDeps = {
    leases: createLeaseStore(redis, settings),
    callStatus,
    limiter,
    logger,
    metrics,
  };
  return {
    settings,
    logger,
    metrics,
    limiter,
    run: (extra: Partial<ReconcileDeps> = {}) => reconcileLeases({ ...deps, ...extra }, settings),
    tenantActive: (tenant: string) =>
      redis.smembers(`${settings.capPrefix}:tenant:${tenant}:active`),
    globalActive: () => redis.smembers(`${settings.capPrefix}:global:active`),
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
