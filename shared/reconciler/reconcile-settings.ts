/** How often the reconciler runs and how much it does per run. */
export interface ReconcileSettings {
  /** CAPACITY_TTL_SECONDS: the lease a renewal grants. */
  readonly capacityTtlSeconds: number;
  /** RECONCILE_INTERVAL_SECONDS: time between runs (and the run's own time budget). */
  readonly intervalSeconds: number;
  /** RECONCILE_CHECK_SECONDS: a call is asked about once its last renewal is this old. */
  readonly checkSeconds: number;
  /** RECONCILE_BATCH_SIZE: most calls asked about per run. */
  readonly batchSize: number;
  /** Status requests in flight at once. */
  readonly concurrency: number;
}

/** Defaults of the reconciler's own variables (the contract's come from its environment). */
export const RECONCILE_DEFAULTS = {
  intervalSeconds: 60,
  checkSeconds: 300,
  batchSize: 500,
  concurrency: 16,
} as const;

/**
 * Seconds before expiry at which a lease is due for a check. Normally the lease's age passes
 * `checkSeconds` first; with a short TTL the window is two intervals, so one missed run still
 * leaves a second chance before the lease runs out.
 */
export function renewalWindowSeconds(settings: ReconcileSettings): number {
  return Math.min(
    settings.capacityTtlSeconds,
    Math.max(settings.capacityTtlSeconds - settings.checkSeconds, 2 * settings.intervalSeconds),
  );
}

/**
 * Longest a slot can outlive its call when the hangup never arrives (Telnyx reachable, due
 * calls within the batch): the check period, the wait for the next run, and that run itself.
 */
export function reclaimBoundSeconds(settings: ReconcileSettings): number {
  return (
    settings.capacityTtlSeconds - renewalWindowSeconds(settings) + 2 * settings.intervalSeconds
  );
}

/** The run lock's lifetime: it outlasts a run (bounded by one interval) that dies holding it. */
export function lockTtlMs(settings: ReconcileSettings): number {
  return 2 * settings.intervalSeconds * 1000;
}
