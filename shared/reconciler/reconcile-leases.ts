import type { DueCall, LeaseStore } from '../capacity/lease-store.js';
import type { CapacityLimiter } from '../capacity/limiter.js';
import { ReconcileError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import type { CallStatus, CallStatusSource } from '../telnyx/call-status.js';
import { noReconcileMetrics, type ReconcileMetrics } from './reconcile-metrics.js';
import { lockTtlMs, type ReconcileSettings, renewalWindowSeconds } from './reconcile-settings.js';

/** Everything a run needs, passed in so tests use a real Redis and a simulated Telnyx. */
export interface ReconcileDeps {
  readonly leases: LeaseStore;
  readonly callStatus: CallStatusSource;
  readonly limiter: Pick<CapacityLimiter, 'release'>;
  readonly logger: AppLogger;
  readonly metrics?: ReconcileMetrics;
  /** False once the run should start no more status requests (its time budget is spent). */
  readonly hasTimeLeft?: () => boolean;
}

/** What one run did; `locked` when another run held the lock and this one did nothing. */
export interface ReconcileSummary {
  readonly locked: boolean;
  readonly due: number;
  readonly alive: number;
  readonly ended: number;
  readonly unknown: number;
  /** Due calls left unasked because the time budget ran out (renewed, asked next time). */
  readonly unchecked: number;
  readonly renewed: number;
  readonly reclaimed: number;
}

/**
 * One reconciler run: asks Telnyx about the calls whose leases near expiry, renews those
 * alive or whose state is unknown (never drop a live caller), and releases those Telnyx
 * reports ended through the hangup's own release. Throws `ReconcileError` if Redis fails.
 */
export async function reconcileLeases(
  deps: ReconcileDeps,
  settings: ReconcileSettings,
): Promise<ReconcileSummary> {
  const claim = await guard('claim', () =>
    deps.leases.claimDue({
      windowSeconds: renewalWindowSeconds(settings),
      batchSize: settings.batchSize,
      lockTtlMs: lockTtlMs(settings),
    }),
  );
  if (claim.locked) return summarize(deps, { ...EMPTY, locked: true });
  try {
    const statuses = await checkAll(claim.due, deps, settings.concurrency);
    const keep = claim.due.filter((_, i) => statuses[i]?.state !== 'ended');
    const gone = claim.due.filter((_, i) => statuses[i]?.state === 'ended');
    const renewed = await guard('renew', () => deps.leases.renew(keep.map((c) => c.callControlId)));
    const reclaimed = await releaseAll(gone, deps);
    const count = (state: CallStatus['state']) => statuses.filter((s) => s?.state === state).length;
    return summarize(deps, {
      locked: false,
      due: claim.due.length,
      alive: count('alive'),
      ended: gone.length,
      unknown: count('unknown'),
      unchecked: statuses.filter((s) => s === undefined).length,
      renewed,
      reclaimed,
    });
  } finally {
    await deps.leases.unlock(claim).catch(() => {}); // the lock expires by itself
  }
}

const EMPTY = { due: 0, alive: 0, ended: 0, unknown: 0, unchecked: 0, renewed: 0, reclaimed: 0 };

/** Status of each call, `concurrency` requests at a time; `undefined` once time ran out. */
async function checkAll(
  due: readonly DueCall[],
  deps: ReconcileDeps,
  concurrency: number,
): Promise<Array<CallStatus | undefined>> {
  const statuses: Array<CallStatus | undefined> = new Array(due.length).fill(undefined);
  let next = 0;
  const lane = async () => {
    while (next < due.length && (deps.hasTimeLeft?.() ?? true)) {
      const index = next++;
      const call = due[index] as DueCall;
      const status = await deps.callStatus.status(call.callControlId);
      if (status.state === 'unknown') {
        deps.logger.warn(LOG_MESSAGES.callStatusUnknown, { ...fields(call), error: status.error });
      }
      statuses[index] = status;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
  return statuses;
}

/** Releases ended calls one by one (the hangup's script); a failure waits for the next run. */
async function releaseAll(gone: readonly DueCall[], deps: ReconcileDeps): Promise<number> {
  let reclaimed = 0;
  for (const call of gone) {
    const held = await deps.limiter.release(call.callControlId, { tenantIdHint: call.tenantId });
    if (held !== true) continue;
    reclaimed += 1;
    deps.logger.info(LOG_MESSAGES.slotReclaimed, fields(call));
  }
  return reclaimed;
}

function summarize(deps: ReconcileDeps, summary: ReconcileSummary): ReconcileSummary {
  const metrics = deps.metrics ?? noReconcileMetrics;
  metrics.renewed(summary.renewed);
  metrics.reclaimed(summary.reclaimed);
  metrics.statusUnknown(summary.unknown);
  deps.logger.info(LOG_MESSAGES.reconcileRun, { ...summary });
  return summary;
}

const fields = (call: DueCall) => ({
  callControlId: call.callControlId,
  tenantId: call.tenantId || undefined,
});

async function guard<T>(step: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new ReconcileError(`lease ${step} failed`, { cause: error });
  }
}
