import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CALL_STEP_NAMES } from '../../../shared/calls/call-steps.js';
import { DENIALS } from '../../../shared/calls/denials.js';
import {
  CALL_METRIC_NAMES as CALL,
  INGEST_METRIC_NAMES,
} from '../../../shared/calls/metric-names.js';
import { appMetric, sum, worstRedisNode } from './alarm-metrics.js';

/**
 * Oldest queued message age (seconds) that pages: a `call.initiated` this old has a caller
 * listening to ringing, and Telnyx hangs up on calls that get no command for long.
 */
export const OLDEST_MESSAGE_AGE_THRESHOLD_SECONDS = 60;

/**
 * Signature rejections per minute that page. Scanners produce a few; a wrong or rotated
 * public key rejects every delivery, which at any real call rate is well above this.
 */
export const SIGNATURE_REJECTIONS_THRESHOLD = 5;

/** Redis memory use (% of maxmemory) that pages, well before evictions start. */
export const REDIS_MEMORY_THRESHOLD_PERCENT = 80;

/** Redis engine thread CPU (%) that pages: Redis runs commands on this one thread. */
export const REDIS_ENGINE_CPU_THRESHOLD_PERCENT = 80;

/** Options for {@link Alarms}. */
export interface AlarmsProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly ingest: lambda.IFunction;
  readonly worker: lambda.IFunction;
  readonly httpApi: apigwv2.IHttpApi;
  readonly redis: elasticache.CfnReplicationGroup;
  readonly reconciler: lambda.IFunction;
  /** The reconciler's schedule (s): it sets how long a silence means it stopped running. */
  readonly reconcileIntervalSeconds: number;
}

/**
 * The alarms an operator must act on, all notifying one SNS topic and each firing within a
 * minute (docs/runbook.md has a row per alarm): dead letters, function errors and throttles,
 * ingest 5xx answers, a lagging queue, failed call steps, signature rejections, Redis trouble
 * (denials, memory, evictions, engine CPU).
 */
export class Alarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    // CloudWatch can only publish to an encrypted topic whose key lets it, which the
    // AWS-managed SNS key does not: hence a customer-managed key.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the call admission alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const cloudwatchHere = new iam.ServicePrincipal('cloudwatch.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    });
    key.grant(cloudwatchHere, 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Telnyx call admission alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // The SSL-only topic policy replaces SNS's default one, so CloudWatch (a service
    // principal, not an account identity) needs its own grant to publish alarms.
    this.topic.grantPublish(cloudwatchHere);
    const period = Duration.minutes(1);
    this.alarms = [
      this.alarm('DeadLetterQueueNotEmpty', {
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
        alarmDescription: 'A webhook failed 5 times and sits in the DLQ: inspect, fix, redrive.',
      }),
      this.alarm('WorkerErrors', {
        metric: props.worker.metricErrors({ period, statistic: 'Sum' }),
        alarmDescription: 'The worker failed whole invocations (Redis, Telnyx or a bug).',
      }),
      this.alarm('IngestServerErrors', {
        metric: props.httpApi.metricServerError({ period, statistic: 'Sum' }),
        alarmDescription:
          'The webhook API answered 5xx: Telnyx re-delivers or uses the failover URL.',
      }),
      this.alarm('IngestErrors', {
        metric: props.ingest.metricErrors({ period, statistic: 'Sum' }),
        alarmDescription: 'The ingest function failed invocations (queue unreachable or a bug).',
      }),
      this.alarm('OldestMessageAge', {
        metric: props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
        threshold: OLDEST_MESSAGE_AGE_THRESHOLD_SECONDS,
        evaluationPeriods: 2,
        alarmDescription: 'Webhooks wait in the queue: callers hear ringing while the worker lags.',
      }),
      ...this.throttleAlarms(props, period),
      ...this.callAlarms(period),
      ...this.redisAlarms(props.redis, period),
      ...this.reconcilerAlarms(props.reconciler, props.reconcileIntervalSeconds),
    ];
  }

  private throttleAlarms(props: AlarmsProps, period: Duration): cloudwatch.Alarm[] {
    return [
      this.alarm('IngestThrottles', {
        metric: props.ingest.metricThrottles({ period, statistic: 'Sum' }),
        alarmDescription:
          'Ingest hit its reserved concurrency: Telnyx got 429/5xx and re-delivers.',
      }),
      this.alarm('WorkerThrottles', {
        metric: props.worker.metricThrottles({ period, statistic: 'Sum' }),
        alarmDescription: 'The worker was throttled: webhooks wait while callers hear ringing.',
      }),
    ];
  }

  private callAlarms(period: Duration): cloudwatch.Alarm[] {
    const metric = (name: string, service: string, dimensions: Record<string, string> = {}) =>
      appMetric(name, { service, ...dimensions }, period);
    const steps = Object.fromEntries(
      CALL_STEP_NAMES.map((step, i) => [
        `s${i}`,
        metric(CALL.stepFailed, 'worker', { [CALL.stepDimension]: step }),
      ]),
    );
    return [
      this.alarm('CallStepFailed', {
        metric: sum(steps, 'failed call steps', period),
        alarmDescription: 'The worker failed a call step (Telnyx or Redis); the record is retried.',
      }),
      this.alarm('SignatureRejections', {
        metric: metric(INGEST_METRIC_NAMES.signatureRejected, 'ingest'),
        threshold: SIGNATURE_REJECTIONS_THRESHOLD,
        alarmDescription:
          'Webhooks fail the signature check: wrong or rotated public key, or an attack.',
      }),
      this.alarm('RedisTroubleDenials', {
        metric: sum(
          {
            capacity: metric(CALL.denied, 'worker', {
              [CALL.reasonDimension]: DENIALS.capacity_check_failed.metricReason,
            }),
            tenant: metric(CALL.tenantResolveFailed, 'worker'),
          },
          'calls refused because Redis failed',
          period,
        ),
        alarmDescription:
          'Calls were refused because Redis failed (capacity check or tenant lookup).',
      }),
    ];
  }

  private redisAlarms(
    redis: elasticache.CfnReplicationGroup,
    period: Duration,
  ): cloudwatch.Alarm[] {
    const worst = (metricName: string, statistic: string) =>
      worstRedisNode(redis, metricName, statistic, period);
    return [
      this.alarm('RedisMemory', {
        metric: worst('DatabaseMemoryUsagePercentage', 'Maximum'),
        threshold: REDIS_MEMORY_THRESHOLD_PERCENT,
        alarmDescription: 'Redis is near maxmemory: next come evictions of capacity keys.',
      }),
      this.alarm('RedisEvictions', {
        metric: worst('Evictions', 'Sum'),
        alarmDescription: 'Redis evicted keys: slots or tenant mappings may be gone.',
      }),
      this.alarm('RedisEngineCpu', {
        metric: worst('EngineCPUUtilization', 'Maximum'),
        threshold: REDIS_ENGINE_CPU_THRESHOLD_PERCENT,
        alarmDescription: 'The Redis engine thread is busy: commands slow down and time out.',
      }),
    ];
  }

  /**
   * Without the reconciler, live calls lose their slots once their leases run out and ended
   * calls whose hangup was lost keep theirs: page when it fails, or stops running at all.
   */
  private reconcilerAlarms(fn: lambda.IFunction, intervalSeconds: number): cloudwatch.Alarm[] {
    const period = Duration.seconds(Math.max(300, intervalSeconds));
    return [
      this.alarm('ReconcilerErrors', {
        metric: fn.metricErrors({ period, statistic: 'Sum' }),
        alarmDescription:
          'The lease reconciler failed (Redis unreachable, bad configuration or a bug): long ' +
          'calls lose their slots at lease expiry and lost hangups are not reclaimed.',
      }),
      this.alarm('ReconcilerNotRunning', {
        metric: fn.metricInvocations({ period, statistic: 'Sum' }),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // Silence is the failure here: no invocations at all means the schedule stopped.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: 'The lease reconciler did not run: check its EventBridge schedule.',
      }),
    ];
  }

  /** An alarm on `metric` notifying the topic; by default one event in a minute pages. */
  private alarm(
    id: string,
    options: Pick<cloudwatch.AlarmProps, 'metric' | 'alarmDescription'> &
      Partial<cloudwatch.AlarmProps>,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is healthy traffic.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}
