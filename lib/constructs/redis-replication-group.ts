import { RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Redis listens here rather than on 6379, so a scan for the default port finds nothing. */
export const REDIS_PORT = 6380;

/** The Redis engine version; its major version names the parameter group family (`redis7`). */
const ENGINE_VERSION = '7.1';

/** Options for {@link RedisReplicationGroup}. */
export interface RedisReplicationGroupProps {
  readonly vpc: ec2.IVpc;
  /** Node type of the primary and the replica (default `cache.t4g.micro`). */
  readonly nodeType?: string;
}

/**
 * ElastiCache Redis as a cluster-mode-disabled replication group: the capacity script
 * touches the global and tenant keys, which hash to different slots and would fail with
 * CROSSSLOT on cluster-mode Redis. Primary + replica in two AZs with automatic failover,
 * TLS in transit, encryption at rest and an AUTH token generated into Secrets Manager.
 */
export class RedisReplicationGroup extends Construct implements ec2.IConnectable {
  public readonly connections: ec2.Connections;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly authTokenSecret: secretsmanager.Secret;
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** `rediss://<primary endpoint>:<port>`: the worker always talks to the primary. */
  public readonly url: string;
  public readonly primaryEndpointAddress: string;

  constructor(scope: Construct, id: string, props: RedisReplicationGroupProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: ingress only from the call admission worker and tenant admin',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [this.securityGroup],
      defaultPort: ec2.Port.tcp(REDIS_PORT),
    });
    this.authTokenSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'Redis AUTH token of the call admission replication group',
      generateSecretString: {
        // ElastiCache AUTH tokens are 16-128 printable characters and refuse most
        // punctuation (notably @ " /), so letters and digits only, and plenty of them.
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    Validations.of(this.authTokenSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotating an ElastiCache AUTH token needs a ModifyReplicationGroup ROTATE/SET sequence ' +
        'coordinated with the workers; no managed rotation exists for it. The token never ' +
        'leaves the VPC-only, TLS-only, worker-only Redis.',
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Private subnets of the call admission Redis',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
        .subnetIds,
    });
    // ElastiCache's default maxmemory-policy (volatile-lru) evicts keys that carry a TTL first:
    // exactly the active sets and leases, silently freeing slots of live calls. With noeviction
    // a full Redis refuses writes instead, and admission fails closed ("unable to accept").
    const parameterGroup = new elasticache.CfnParameterGroup(this, 'ParameterGroup', {
      description: 'Call admission Redis: never evict capacity keys',
      cacheParameterGroupFamily: `redis${ENGINE_VERSION.split('.')[0]}`,
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'Telnyx call admission: tenant map and capacity leases',
      engine: 'redis',
      engineVersion: ENGINE_VERSION,
      cacheParameterGroupName: parameterGroup.ref,
      cacheNodeType: props.nodeType ?? 'cache.t4g.micro',
      clusterMode: 'disabled',
      numCacheClusters: 2,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: this.authTokenSecret.secretValue.unsafeUnwrap(),
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // The tenant map lives here too: keep a week of daily snapshots to restore it from.
      snapshotRetentionLimit: 7,
      autoMinorVersionUpgrade: true,
    });
    // A final snapshot on stack deletion keeps the tenant map recoverable.
    this.replicationGroup.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    this.primaryEndpointAddress = this.replicationGroup.attrPrimaryEndPointAddress;
    this.url = `rediss://${this.primaryEndpointAddress}:${Token.asString(
      this.replicationGroup.attrPrimaryEndPointPort,
    )}`;
  }

  /** Lets `client` reach Redis on its port and read the AUTH token, and nothing more. */
  public grantConnect(client: ec2.IConnectable & iam.IGrantable, description: string): void {
    this.connections.allowDefaultPortFrom(client, description);
    this.authTokenSecret.grantRead(client);
  }
}
