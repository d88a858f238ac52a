import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { ENV_NAMES as N } from '../../shared/config/env-names.js';
import { createNodeFunction } from './node-function.js';
import type { RedisReplicationGroup } from './redis-replication-group.js';
import { type AdmissionSettings, admissionEnvironment } from './worker-function.js';

/** Options for {@link ReconcilerFunction}. */
export interface ReconcilerFunctionProps {
  readonly code: lambda.Code;
  readonly vpc: ec2.IVpc;
  readonly redis: RedisReplicationGroup;
  readonly admission: AdmissionSettings;
  /** The worker's Telnyx API key secret: the reconciler reads the same key. */
  readonly telnyxApiKeySecret: secretsmanager.ISecret;
  /** RECONCILE_INTERVAL_SECONDS: the schedule and the function read this one value. */
  readonly intervalSeconds: number;
  readonly logLevel: string;
}

/**
 * The lease reconciler: every `intervalSeconds` (EventBridge), asks Telnyx about the calls
 * whose leases near expiry, renews the live ones and releases the ended ones. Beside the
 * worker in the private subnets, with the same Redis access and the same Telnyx key.
 */
export class ReconcilerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcilerFunctionProps) {
    super(scope, id);
    const interval = validInterval(props.intervalSeconds);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Call admission lease reconciler: HTTPS out (Telnyx, AWS APIs) and Redis',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Telnyx and AWS APIs');
    this.function = createNodeFunction(this, {
      code: props.code,
      description: 'Telnyx call admission: renews live calls leases, reclaims ended calls slots',
      // A run spends at most one interval, so runs overlap only if one hangs (then the lock holds).
      timeout: Duration.seconds(Math.min(interval, 900)),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      environment: {
        ...admissionEnvironment(props.redis, props.admission, props.telnyxApiKeySecret),
        [N.reconcileIntervalSeconds]: String(interval),
        [N.telnyxTimeoutMs]: '5000',
        POWERTOOLS_SERVICE_NAME: 'reconciler',
        [N.metricsNamespace]: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel,
      },
    });
    Validations.of(this.function.role as Construct).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'AWS-managed policy Lambda needs to attach the reconciler to the VPC (ENI create/' +
        'describe/delete); these EC2 actions take no resource-level scoping.',
    });
    props.telnyxApiKeySecret.grantRead(this.function);
    props.redis.grantConnect(this.function, 'call admission lease reconciler');
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the call admission lease reconciler',
      schedule: events.Schedule.rate(Duration.seconds(interval)),
      // A missed run is simply the next one: no retries piling up behind the schedule.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}

/** EventBridge rates are whole minutes; a lease renewed less often than that is no use. */
function validInterval(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 60 || seconds % 60 !== 0) {
    throw new Error(
      `reconcileIntervalSeconds must be a whole number of minutes in seconds (60, 120, ...), got ${seconds}`,
    );
  }
  return seconds;
}
