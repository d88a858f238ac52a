import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { createNodeFunction } from './node-function.js';
import type { RedisReplicationGroup } from './redis-replication-group.js';
import { type AdmissionSettings, redisContractEnvironment } from './worker-function.js';

/** Options for {@link AdminFunction}. */
export interface AdminFunctionProps {
  readonly code: lambda.Code;
  readonly vpc: ec2.IVpc;
  readonly redis: RedisReplicationGroup;
  /** The worker's settings, so `status` reports the caps the worker applies. */
  readonly admission: AdmissionSettings;
  readonly logLevel: string;
}

/**
 * Tenant administration (map numbers, set caps, live calls) for operators outside the VPC.
 * It sits in the private subnets beside the worker with its own security group, which Redis
 * admits; it has no trigger, URL or resource policy, so only IAM principals allowed
 * `lambda:InvokeFunction` on it can run it (`npm run tenants -- --stack ...`).
 */
export class AdminFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: AdminFunctionProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Call admission tenant admin: HTTPS out (Secrets Manager) and Redis',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs');
    this.function = createNodeFunction(this, {
      code: props.code,
      description: 'Telnyx call admission tenant admin (IAM invoke only)',
      // A status over every tenant scans the keyspace; a few seconds at most in practice.
      timeout: Duration.seconds(30),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      environment: {
        ...redisContractEnvironment(props.redis, props.admission),
        POWERTOOLS_SERVICE_NAME: 'admin',
        LOG_LEVEL: props.logLevel,
      },
    });
    props.redis.grantConnect(this.function, 'call admission tenant admin');
  }
}
