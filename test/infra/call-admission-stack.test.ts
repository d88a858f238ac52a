import { Match, Template } from 'aws-cdk-lib/assertions';
import { DENIAL_REASONS } from '../../shared/calls/denials.js';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { WEBHOOK_PATH } from '../../shared/webhook/webhook-path.js';
import { type CfnResource, callAdmissionApp, findFunction } from './stack-fixture.js';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

let template: Template;
let resources: Record<string, CfnResource>;
let ingestId: string;
let workerId: string;
let queueId: string;

/** The properties of the resource with this logical id (which must exist). */
const props = (logicalId: string): Record<string, unknown> => {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties;
};
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const onlyOfType = (type: string): [string, CfnResource] => {
  const found = ofType(type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, CfnResource];
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const roleOf = (functionId: string) =>
  ((props(functionId).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] ?? [])[0];
/** Every Allow statement of the inline policies attached to the function's role. */
const statementsOf = (functionId: string): Statement[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleOf(functionId)),
    )
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const envOf = (functionId: string) =>
  (props(functionId).Environment as { Variables: Record<string, unknown> }).Variables;

beforeAll(() => {
  const { stack } = callAdmissionApp();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  [ingestId] = findFunction(resources, 'ingest');
  [workerId] = findFunction(resources, 'worker');
  // The main queue is the one with a redrive policy; the DLQ has none.
  const withRedrive = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);
  expect(withRedrive).toHaveLength(1);
  [queueId] = withRedrive[0] as [string, CfnResource];
});

describe('call queue', () => {
  const queue = () => props(queueId);

  it('is a high-throughput FIFO queue that relies on explicit deduplication ids', () => {
    expect(queue()).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
    });
  });

  it('moves a message to a FIFO dead-letter queue after five receives', () => {
    const redrive = queue().RedrivePolicy as {
      maxReceiveCount: number;
      deadLetterTargetArn: { 'Fn::GetAtt': string[] };
    };
    expect(redrive.maxReceiveCount).toBe(5);
    const dlq = resources[redrive.deadLetterTargetArn['Fn::GetAtt'][0] as string];
    expect(dlq?.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
  });

  it('denies every request to either queue that does not use TLS', () => {
    const policies = ofType('AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('keeps a message invisible for at least six worker timeouts', () => {
    const workerTimeout = props(workerId).Timeout as number;
    expect(workerTimeout).toBeGreaterThan(0);
    expect(queue().VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
  });

  it('feeds the worker in batches with partial failure reporting and bounded concurrency', () => {
    const [, mapping] = onlyOfType('AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: expect.any(Number) },
    });
  });
});

describe('redis', () => {
  it('is a cluster-mode-disabled, Multi-AZ replication group with automatic failover', () => {
    const [, group] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    expect(group.Properties).toMatchObject({
      Engine: 'redis',
      EngineVersion: expect.stringMatching(/^7\./),
      ClusterMode: 'disabled',
      NumCacheClusters: 2,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
    });
    expect(group.Properties.NumNodeGroups).toBeUndefined();
    expect(group.Properties.ReplicasPerNodeGroup).toBeUndefined();
  });

  it('requires TLS and AUTH, encrypts at rest and listens on a non-default port', () => {
    const [, group] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    expect(group.Properties).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      Port: 6380,
    });
    const authToken = JSON.stringify(group.Properties.AuthToken);
    expect(authToken).toContain('{{resolve:secretsmanager:');
    const [secretId] = ofType('AWS::SecretsManager::Secret').find(([id]) =>
      authToken.includes(id),
    ) ?? [''];
    expect(props(secretId).GenerateSecretString).toMatchObject({
      ExcludePunctuation: true,
    });
  });

  it('accepts connections only from the worker security group, on the Redis port', () => {
    const [, group] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    const redisSg = (group.Properties.SecurityGroupIds as { 'Fn::GetAtt': string[] }[])[0]?.[
      'Fn::GetAtt'
    ][0] as string;
    const workerSgs = (
      props(workerId).VpcConfig as {
        SecurityGroupIds: { 'Fn::GetAtt': string[] }[];
      }
    ).SecurityGroupIds.map((sg) => sg['Fn::GetAtt'][0]);
    expect(props(redisSg).SecurityGroupIngress).toBeUndefined();
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').filter(
      ([, rule]) =>
        (rule.Properties.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === redisSg,
    );
    expect(ingress.map(([, rule]) => rule.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 6380,
        ToPort: 6380,
        SourceSecurityGroupId: { 'Fn::GetAtt': [workerSgs[0], 'GroupId'] },
      }),
    ]);
    expect(workerSgs).toHaveLength(1);
  });

  it('lets the worker out only to HTTPS and to the Redis security group', () => {
    const workerSg = (
      props(workerId).VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': string[] }[] }
    ).SecurityGroupIds[0]?.['Fn::GetAtt'][0] as string;
    expect(props(workerSg).SecurityGroupEgress).toEqual([
      expect.objectContaining({
        CidrIp: '0.0.0.0/0',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      }),
    ]);
    const egress = ofType('AWS::EC2::SecurityGroupEgress').map(([, rule]) => rule.Properties);
    expect(egress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [workerSg, 'GroupId'] },
        FromPort: 6380,
        ToPort: 6380,
        DestinationSecurityGroupId: expect.anything(),
      }),
    ]);
  });

  it('puts the worker in the private subnets that route through the NAT gateway', () => {
    const subnets = (props(workerId).VpcConfig as { SubnetIds: { Ref: string }[] }).SubnetIds;
    expect(subnets).toHaveLength(2);
    for (const { Ref } of subnets) {
      const associations = ofType('AWS::EC2::SubnetRouteTableAssociation').filter(
        ([, a]) => (a.Properties.SubnetId as { Ref: string }).Ref === Ref,
      );
      expect(associations).toHaveLength(1);
      const [[associationId]] = associations as [[string, CfnResource]];
      const routeTable = (props(associationId).RouteTableId as { Ref: string }).Ref;
      const defaultRoutes = ofType('AWS::EC2::Route')
        .map(([, r]) => r.Properties)
        .filter((r) => (r.RouteTableId as { Ref: string }).Ref === routeTable);
      expect(defaultRoutes).toEqual([
        expect.objectContaining({
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: expect.anything(),
        }),
      ]);
    }
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });
});

describe('webhook api', () => {
  it('routes POST /webhooks/telnyx to the ingest function with payload format 2.0', () => {
    const [, route] = onlyOfType('AWS::ApiGatewayV2::Route');
    expect(route.Properties.RouteKey).toBe(`POST ${WEBHOOK_PATH}`);
    const [, integration] = onlyOfType('AWS::ApiGatewayV2::Integration');
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ingestId, 'Arn'] },
    });
  });

  it('throttles and access-logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: Match.anyValue(),
        ThrottlingBurstLimit: Match.anyValue(),
      },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
  });
});

describe('functions', () => {
  it.each([
    ['ingest', () => ingestId],
    ['worker', () => workerId],
  ])(
    'runs %s on nodejs22.x, arm64, with tracing, source maps and a retained log group',
    (_, id) => {
      const fn = props(id());
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
      expect(envOf(id()).NODE_OPTIONS).toBe('--enable-source-maps');
      const logGroup = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(props(logGroup).RetentionInDays).toEqual(expect.any(Number));
    },
  );

  it('gives ingest the public key, the queue URL and the tolerance', () => {
    expect(Object.keys(envOf(ingestId)).sort()).toEqual(
      [
        'LOG_LEVEL',
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
        'QUEUE_URL',
        'TELNYX_PUBLIC_KEY',
        'WEBHOOK_TOLERANCE_SECONDS',
      ].sort(),
    );
    expect(envOf(ingestId)).toMatchObject({
      TELNYX_PUBLIC_KEY: { Ref: 'TelnyxPublicKey' },
      WEBHOOK_TOLERANCE_SECONDS: { Ref: 'WebhookToleranceSeconds' },
    });
  });

  it("gives the worker the Redis contract's seven variables and secret ARNs, never secrets", () => {
    const env = envOf(workerId);
    expect(Object.keys(env).sort()).toEqual(
      [
        'REDIS_URL',
        'TENANTMAP_PREFIX',
        'CAP_PREFIX',
        'TENANTCFG_PREFIX',
        'GLOBAL_CONCURRENCY_CAP',
        'TENANT_CONCURRENCY_CAP_DEFAULT',
        'TENANT_CALLS_PER_MIN_CAP_DEFAULT',
        'CAPACITY_TTL_SECONDS',
        'REDIS_COMMAND_TIMEOUT_MS',
        'REDIS_AUTH_TOKEN_SECRET_ARN',
        'TELNYX_API_KEY_SECRET_ARN',
        'TELNYX_API_KEY',
        'TELNYX_BASE_URL',
        'TELNYX_SPEAK_VOICE',
        'TELNYX_SPEAK_LANGUAGE',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'LOG_LEVEL',
        'NODE_OPTIONS',
      ].sort(),
    );
    expect(JSON.stringify(env.REDIS_URL)).toMatch(
      /rediss:\/\/.*PrimaryEndPoint\.Address.*PrimaryEndPoint\.Port/,
    );
    expect(env).toMatchObject({
      GLOBAL_CONCURRENCY_CAP: { Ref: 'GlobalConcurrencyCap' },
      CAPACITY_TTL_SECONDS: { Ref: 'CapacityTtlSeconds' },
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      TELNYX_API_KEY: '',
    });
    expect(JSON.stringify(env)).not.toContain('resolve:secretsmanager');
  });
});

describe('least privilege', () => {
  it('lets only ingest send to the queue, and ingest read no secrets', () => {
    const senders = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('sqs:SendMessage'),
    );
    expect(senders.map(([, p]) => p.Properties.Roles)).toEqual([[{ Ref: roleOf(ingestId) }]]);
    const send = statementsOf(ingestId).filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(send).toHaveLength(1);
    expect(send[0]?.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(
      statementsOf(ingestId)
        .flatMap(actions)
        .filter((a) => a.startsWith('secretsmanager')),
    ).toEqual([]);
  });

  it('lets only the worker read the two secrets and consume the queue, and it cannot send', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([id]) => ({ Ref: id }));
    expect(secrets).toHaveLength(2);
    const reads = statementsOf(workerId).filter((s) =>
      actions(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads.map((s) => s.Resource)).toEqual(expect.arrayContaining(secrets));
    expect(reads).toHaveLength(2);
    expect(statementsOf(workerId).flatMap(actions)).not.toContain('sqs:SendMessage');
    const readers = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers.map(([, p]) => p.Properties.Roles)).toEqual([[{ Ref: roleOf(workerId) }]]);
  });

  it('uses a wildcard resource only for X-Ray, which has no resource-level permissions', () => {
    const wildcard = ofType('AWS::IAM::Policy')
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Resource === '*');
    expect(new Set(wildcard.flatMap(actions))).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
  });
});

describe('operations', () => {
  it.each([
    ['the DLQ holds a message', 'ApproximateNumberOfMessagesVisible', 1],
    ['the worker fails', 'Errors', 1],
    ['the API answers 5xx', '5xx', 1],
    ['the oldest message is too old', 'ApproximateAgeOfOldestMessage', 60],
  ])('raises an alarm to the SNS topic when %s', (_, metricName, threshold) => {
    const [topicId] = onlyOfType('AWS::SNS::Topic');
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === metricName,
    );
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it('lets CloudWatch, and only from this account, publish to the encrypted topic', () => {
    const [topicId, topic] = onlyOfType('AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('alarms on errors of both functions', () => {
    const errorAlarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'Errors',
    );
    const functions = errorAlarms.map(
      ([, a]) => (a.Properties.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref,
    );
    expect(functions.sort()).toEqual([ingestId, workerId].sort());
  });

  it('charts accepted calls and every denial reason from the worker metrics', () => {
    const [, dashboard] = onlyOfType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain(
      `\\"${METRICS_NAMESPACE}\\",\\"CallAccepted\\",\\"service\\",\\"worker\\"`,
    );
    for (const reason of DENIAL_REASONS) {
      expect(body).toContain(
        `\\"CallDenied\\",\\"Reason\\",\\"${reason}\\",\\"service\\",\\"worker\\"`,
      );
    }
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('p99');
  });
});

describe('interface', () => {
  it('declares the parameters with their documented defaults', () => {
    const parameters = template.toJSON().Parameters;
    expect(parameters.TelnyxPublicKey).toMatchObject({ Type: 'String' });
    expect(parameters.TelnyxPublicKey.Default).toBeUndefined();
    expect(parameters).toMatchObject({
      WebhookToleranceSeconds: { Type: 'Number', Default: 300 },
      GlobalConcurrencyCap: { Type: 'Number', Default: 100 },
      TenantConcurrencyCapDefault: { Type: 'Number', Default: 10 },
      TenantCallsPerMinCapDefault: { Type: 'Number', Default: 30 },
      CapacityTtlSeconds: { Type: 'Number', Default: 7200 },
      TenantmapPrefix: { Type: 'String', Default: 'tenantmap' },
      CapPrefix: { Type: 'String', Default: 'cap' },
      TenantcfgPrefix: { Type: 'String', Default: 'tenantcfg' },
      LogLevel: { Type: 'String', Default: 'INFO' },
    });
  });

  it('outputs what an operator needs after deploy', () => {
    const outputs = template.toJSON().Outputs;
    for (const name of [
      'WebhookUrl',
      'QueueUrl',
      'DeadLetterQueueUrl',
      'RedisEndpoint',
      'TelnyxApiKeySecretName',
      'RedisAuthSecretName',
    ]) {
      expect(outputs).toHaveProperty(name);
    }
    expect(JSON.stringify(outputs.WebhookUrl.Value)).toMatch(/\/webhooks\/telnyx"\]\]\}$/);
  });
});
