/** The reconciler's counts; Powertools Metrics implements it in the function. */
export interface ReconcileMetrics {
  renewed(count: number): void;
  reclaimed(count: number): void;
  statusUnknown(count: number): void;
}

/** Metric names, declared once for the function and the dashboard. */
export const RECONCILE_METRIC_NAMES = {
  renewed: 'SlotsRenewed',
  reclaimed: 'SlotsReclaimed',
  statusUnknown: 'CallStatusUnknown',
} as const;

/** Metrics that go nowhere. */
export const noReconcileMetrics: ReconcileMetrics = {
  renewed() {},
  reclaimed() {},
  statusUnknown() {},
};
