import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CallMetrics } from './call-metrics.js';
import { DENIALS } from './denials.js';
import { CALL_METRIC_NAMES } from './metric-names.js';

/** Call counts as CloudWatch EMF metrics: `CallAccepted`, `CallDenied` by `Reason`, `TenantConfigInvalid`. */
export function powertoolsCallMetrics(metrics: Metrics): CallMetrics {
  return {
    accepted: () => metrics.addMetric(CALL_METRIC_NAMES.accepted, MetricUnit.Count, 1),
    denied: (denial) => {
      // A metric of its own, so the Reason dimension does not leak onto the other metrics.
      const single = metrics.singleMetric();
      single.addDimension(CALL_METRIC_NAMES.reasonDimension, DENIALS[denial].metricReason);
      single.addMetric(CALL_METRIC_NAMES.denied, MetricUnit.Count, 1);
    },
    tenantConfigInvalid: () =>
      metrics.addMetric(CALL_METRIC_NAMES.tenantConfigInvalid, MetricUnit.Count, 1),
  };
}
