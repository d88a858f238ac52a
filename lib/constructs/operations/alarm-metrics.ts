import { type Duration, Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { METRICS_NAMESPACE } from '../../../shared/calls/metric-names.js';

/** ElastiCache names the replication group's nodes `<group id>-001`, `-002`, ... */
const REDIS_NODE_SUFFIXES = ['001', '002'] as const;

/**
 * A count the functions emit with Powertools (which adds the `service` dimension to every
 * metric), summed per period.
 */
export function appMetric(
  metricName: string,
  dimensionsMap: Record<string, string>,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap,
    statistic: 'Sum',
    period,
  });
}

/** The sum of `metrics` as one series (a missing one counts as 0). */
export function sum(
  metrics: Record<string, cloudwatch.IMetric>,
  label: string,
  period: Duration,
): cloudwatch.MathExpression {
  const ids = Object.keys(metrics).map((id) => `FILL(${id}, 0)`);
  return new cloudwatch.MathExpression({
    expression: ids.join(' + '),
    usingMetrics: metrics,
    label,
    period,
  });
}

/**
 * An ElastiCache host metric of the worse of the group's two nodes: the primary moves on
 * failover, and the replica fills up just the same.
 */
export function worstRedisNode(
  redis: elasticache.CfnReplicationGroup,
  metricName: string,
  statistic: string,
  period: Duration,
): cloudwatch.MathExpression {
  const perNode = Object.fromEntries(
    REDIS_NODE_SUFFIXES.map((suffix) => [
      `n${suffix}`,
      new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensionsMap: { CacheClusterId: Fn.join('-', [redis.ref, suffix]) },
        statistic,
        period,
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: `MAX([${Object.keys(perNode).join(', ')}])`,
    usingMetrics: perNode,
    label: `${metricName} (worst node)`,
    period,
  });
}
