import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { RECONCILE_METRIC_NAMES, type ReconcileMetrics } from './reconcile-metrics.js';

/** The reconciler's counts as CloudWatch EMF metrics (a zero is published too: a heartbeat). */
export function powertoolsReconcileMetrics(metrics: Metrics): ReconcileMetrics {
  return {
    renewed: (count) => metrics.addMetric(RECONCILE_METRIC_NAMES.renewed, MetricUnit.Count, count),
    reclaimed: (count) =>
      metrics.addMetric(RECONCILE_METRIC_NAMES.reclaimed, MetricUnit.Count, count),
    statusUnknown: (count) =>
      metrics.addMetric(RECONCILE_METRIC_NAMES.statusUnknown, MetricUnit.Count, count),
  };
}
