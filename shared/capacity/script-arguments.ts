import type { CapacityKeys } from './keys.js';
import { ACQUIRE_SCRIPT, RELEASE_SCRIPT } from './scripts.js';

/** The settings the acquire script reads, besides the call and its tenant. */
export interface AcquireLimits {
  readonly globalConcurrencyCap: number;
  readonly tenantConcurrencyCapDefault: number;
  readonly tenantCallsPerMinCapDefault: number;
  readonly capacityTtlSeconds: number;
  readonly reclaimBatchSize: number;
}

/** KEYS and ARGV of one acquire: the limiter's and the benchmarks' single source. */
export function acquireArguments(
  keys: CapacityKeys,
  limits: AcquireLimits,
  call: { readonly callControlId: string; readonly tenantId: string; readonly now: Date },
): string[] {
  const { callControlId, tenantId } = call;
  return ACQUIRE_SCRIPT.arguments({
    globalActive: keys.globalActive(),
    tenantActive: keys.tenantActive(tenantId),
    tenantRpm: keys.tenantRpm(tenantId, call.now),
    concurrencyOverride: keys.concurrencyOverride(tenantId),
    rpmOverride: keys.rpmOverride(tenantId),
    globalLeases: keys.globalLeases(),
    tenantLeases: keys.tenantLeases(tenantId),
    callRecord: keys.call(callControlId),
    callControlId,
    tenantId,
    globalConcurrencyCap: String(limits.globalConcurrencyCap),
    tenantConcurrencyCapDefault: String(limits.tenantConcurrencyCapDefault),
    tenantCallsPerMinCapDefault: String(limits.tenantCallsPerMinCapDefault),
    capacityTtlSeconds: String(limits.capacityTtlSeconds),
    reclaimBatchSize: String(limits.reclaimBatchSize),
  });
}

/** KEYS and ARGV of one release; `endedMarkerTtlSeconds` 0 deletes the call record instead. */
export function releaseArguments(
  keys: CapacityKeys,
  capPrefix: string,
  call: {
    readonly callControlId: string;
    readonly tenantIdHint: string;
    readonly endedMarkerTtlSeconds: number;
  },
): string[] {
  return RELEASE_SCRIPT.arguments({
    callRecord: keys.call(call.callControlId),
    globalActive: keys.globalActive(),
    globalLeases: keys.globalLeases(),
    callControlId: call.callControlId,
    capPrefix,
    endedMarkerTtlSeconds: String(call.endedMarkerTtlSeconds),
    tenantIdHint: call.tenantIdHint,
  });
}
