import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CallMetrics } from './call-metrics.js';

/** Call counts as CloudWatch EMF metrics: `CallAccepted`, and `CallDenied` by `Reason`. */
export function powertoolsCallMetrics(metrics: Metrics): CallMetrics {
  return {
    accepted: () => metrics.addMetric('CallAccepted', MetricUnit.Count, 1),
    denied: (reason) => {
      // A metric of its own, so the Reason dimension does not leak onto the other metrics.
      const single = metrics.singleMetric();
      single.addDimension('Reason', reason);
      single.addMetric('CallDenied', MetricUnit.Count, 1);
    },
  };
}
