import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CallMetrics } from './call-metrics.js';
import { DENIALS } from './denials.js';
import { CALL_METRIC_NAMES } from './metric-names.js';

/**
 * Call counts as CloudWatch EMF metrics: `CallAccepted`, `TenantResolveFailed`, `CallDenied`
 * by `Reason`, `CallStepFailed` by `Step` and `TenantConfigInvalid`.
 */
export function powertoolsCallMetrics(metrics: Metrics): CallMetrics {
  // A metric of its own, so the dimension does not leak onto the other metrics.
  const withDimension = (name: string, dimension: string, value: string) => {
    const single = metrics.singleMetric();
    single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, 1);
  };
  const { accepted, denied, reasonDimension, stepFailed, stepDimension, tenantResolveFailed } =
    CALL_METRIC_NAMES;
  return {
    accepted: () => metrics.addMetric(accepted, MetricUnit.Count, 1),
    denied: (denial) => withDimension(denied, reasonDimension, DENIALS[denial].metricReason),
    stepFailed: (step) => withDimension(stepFailed, stepDimension, step),
    tenantResolveFailed: () => metrics.addMetric(tenantResolveFailed, MetricUnit.Count, 1),
    tenantConfigInvalid: () =>
      metrics.addMetric(CALL_METRIC_NAMES.tenantConfigInvalid, MetricUnit.Count, 1),
  };
}
