import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DENIAL_REASONS, DENIALS } from '../../../shared/calls/denials.js';
import { CALL_METRIC_NAMES, METRICS_NAMESPACE } from '../../../shared/calls/metric-names.js';

/** Options for {@link Dashboard}. */
export interface DashboardProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly ingest: lambda.IFunction;
  readonly worker: lambda.IFunction;
  readonly httpApi: apigwv2.IHttpApi;
}

/**
 * One CloudWatch dashboard answering "are calls getting in, and if not why": calls
 * accepted and denied by reason, errors, latency percentiles and queue age.
 */
export class Dashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    // Powertools adds the `service` dimension to every metric it emits.
    const callMetric = (metricName: string, extra: Record<string, string> = {}, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'worker', ...extra },
        statistic: 'Sum',
        period,
        ...(label ? { label } : {}),
      });
    const percentiles = (fn: lambda.IFunction, name: string) =>
      ['p50', 'p99'].map((statistic) =>
        fn.metricDuration({ statistic, period, label: `${name} ${statistic}` }),
      );
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Calls accepted and denied',
            width: 12,
            left: [
              callMetric(CALL_METRIC_NAMES.accepted, {}, 'accepted'),
              ...DENIAL_REASONS.map((denial) => {
                const reason = DENIALS[denial].metricReason;
                const dimensions = { [CALL_METRIC_NAMES.reasonDimension]: reason };
                return callMetric(CALL_METRIC_NAMES.denied, dimensions, `denied: ${reason}`);
              }),
            ],
            stacked: true,
          }),
          new cloudwatch.GraphWidget({
            title: 'Errors',
            width: 12,
            left: [
              props.ingest.metricErrors({ period, label: 'ingest errors' }),
              props.worker.metricErrors({ period, label: 'worker errors' }),
              props.httpApi.metricServerError({ period, label: 'API 5xx' }),
              props.httpApi.metricClientError({ period, label: 'API 4xx (bad signatures)' }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Latency (ms)',
            width: 12,
            left: [...percentiles(props.ingest, 'ingest'), ...percentiles(props.worker, 'worker')],
          }),
          new cloudwatch.GraphWidget({
            title: 'Queue',
            width: 12,
            left: [
              props.queue.metricApproximateAgeOfOldestMessage({
                period,
                statistic: 'Maximum',
                label: 'oldest message age (s)',
              }),
            ],
            right: [
              props.queue.metricApproximateNumberOfMessagesVisible({ period, label: 'queued' }),
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period,
                label: 'dead letters',
              }),
            ],
          }),
        ],
      ],
    });
  }
}
