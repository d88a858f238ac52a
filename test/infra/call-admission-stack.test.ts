import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CallAdmissionStack } from '../../lib/call-admission-stack.js';
import { SECRETS_EXTENSION_TTL_SECONDS } from '../../lib/constructs/worker-function.js';
import { ADMIN_FUNCTION_OUTPUT } from '../../lib/stack-outputs.js';
import { DENIAL_REASONS } from '../../shared/calls/denials.js';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { WEBHOOK_PATH } from '../../shared/webhook/webhook-path.js';
import { type CfnResource, callAdmissionApp, findFunction, INLINE_CODE } from './stack-fixture.js';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

let template: Template;
let resources: Record<string, CfnResource>;
let ingestId: string;
let workerId: string;
let adminId: string;
let reconcilerId: string;
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
/** The logical id of the function's one security group. */
const securityGroupOf = (functionId: string): string => {
  const groups = (props(functionId).VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': string[] }[] })
    .SecurityGroupIds;
  expect(groups).toHaveLength(1);
  return groups[0]?.['Fn::GetAtt'][0] as string;
};
const securityGroupsOf = (functionId: string) =>
  (
    props(functionId).VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': string[] }[] }
  ).SecurityGroupIds.map((sg) => sg['Fn::GetAtt'][0] as string);
const envOf = (functionId: string) =>
  (props(functionId).Environment as { Variables: Record<string, unknown> }).Variables;
/** The security group lets out only HTTPS (anywhere) and the Redis port (to a security group). */
function expectHttpsAndRedisEgressOnly(sg: string): void {
  expect(props(sg).SecurityGroupEgress).toEqual([
    expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
  ]);
  const egress = ofType('AWS::EC2::SecurityGroupEgress')
    .map(([, rule]) => rule.Properties)
    .filter((rule) => (rule.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === sg);
  expect(egress).toEqual([
    expect.objectContaining({
      FromPort: 6380,
      ToPort: 6380,
      DestinationSecurityGroupId: expect.anything(),
    }),
  ]);
}

beforeAll(() => {
  const { stack } = callAdmissionApp();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  [ingestId] = findFunction(resources, 'ingest');
  [workerId] = findFunction(resources, 'worker');
  [adminId] = findFunction(resources, 'admin');
  [reconcilerId] = findFunction(resources, 'reconciler');
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

  it('denies SendMessage on the call queue to every principal but the ingest role', () => {
    const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
      (p.Properties.Queues as { Ref: string }[]).some((q) => q.Ref === queueId),
    )?.[1];
    if (!policy) throw new Error('the call queue has no policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleOf(ingestId), 'Arn'] } },
        },
      }),
    );
  });

  it('keeps the dead-letter queue, and its messages, on cdk destroy', () => {
    const redrive = queue().RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } };
    const dlq = resources[redrive.deadLetterTargetArn['Fn::GetAtt'][0] as string] as CfnResource & {
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    };
    expect(dlq.DeletionPolicy).toBe('Retain');
    expect(dlq.UpdateReplacePolicy).toBe('Retain');
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

  it("never evicts keys (noeviction), with a parameter group of its engine version's family", () => {
    const [groupId, group] = onlyOfType('AWS::ElastiCache::ParameterGroup');
    const [, replication] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    const major = String(replication.Properties.EngineVersion).split('.')[0];
    expect(group.Properties).toMatchObject({
      CacheParameterGroupFamily: `redis${major}`,
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
    expect(replication.Properties.CacheParameterGroupName).toEqual({ Ref: groupId });
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

  it('accepts connections only from the worker, admin and reconciler security groups, on the Redis port', () => {
    const [, group] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    const redisSg = (group.Properties.SecurityGroupIds as { 'Fn::GetAtt': string[] }[])[0]?.[
      'Fn::GetAtt'
    ][0] as string;
    expect(props(redisSg).SecurityGroupIngress).toBeUndefined();
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').filter(
      ([, rule]) =>
        (rule.Properties.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === redisSg,
    );
    const from = (functionId: string) =>
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 6380,
        ToPort: 6380,
        SourceSecurityGroupId: { 'Fn::GetAtt': [securityGroupOf(functionId), 'GroupId'] },
      });
    expect(ingress.map(([, rule]) => rule.Properties)).toEqual(
      expect.arrayContaining([from(workerId), from(adminId), from(reconcilerId)]),
    );
    expect(ingress).toHaveLength(3);
  });

  it.each([
    ['worker', () => workerId],
    ['reconciler', () => reconcilerId],
  ])('lets the %s out only to HTTPS and to the Redis security group', (_, id) => {
    const [sg] = securityGroupsOf(id()) as [string];
    expectHttpsAndRedisEgressOnly(sg);
  });

  it.each([
    ['worker', () => workerId],
    ['reconciler', () => reconcilerId],
  ])('puts the %s in the private subnets that route through the NAT gateway', (_, id) => {
    const subnets = (props(id()).VpcConfig as { SubnetIds: { Ref: string }[] }).SubnetIds;
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

describe('admin function', () => {
  it('has no public trigger: no URL, no resource policy, no event source, no API route', () => {
    const refersToAdmin = (value: unknown) => JSON.stringify(value).includes(`"${adminId}"`);

    expect(ofType('AWS::Lambda::Url')).toEqual([]);
    expect(
      ofType('AWS::Lambda::Permission').filter(([, p]) => refersToAdmin(p.Properties)),
    ).toEqual([]);
    expect(
      ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => refersToAdmin(m.Properties)),
    ).toEqual([]);
    expect(
      Object.values(resources).filter(
        (r) => r.Type.startsWith('AWS::ApiGateway') && refersToAdmin(r.Properties),
      ),
    ).toEqual([]);
    expect(
      ofType('AWS::ApiGatewayV2::Integration').filter(([, i]) => refersToAdmin(i.Properties)),
    ).toEqual([]);
  });

  it('runs in the private subnets beside the worker, out only to HTTPS and Redis', () => {
    const adminSg = securityGroupOf(adminId);
    const subnets = (id: string) => (props(id).VpcConfig as { SubnetIds: unknown[] }).SubnetIds;

    expect(subnets(adminId)).toEqual(subnets(workerId));
    expect(adminSg).not.toBe(securityGroupOf(workerId));
    expectHttpsAndRedisEgressOnly(adminSg);
  });

  it("reports the worker's own caps and prefixes, from the same parameters", () => {
    const shared = [
      'REDIS_URL',
      'TENANTMAP_PREFIX',
      'CAP_PREFIX',
      'GLOBAL_CONCURRENCY_CAP',
      'TENANT_CONCURRENCY_CAP_DEFAULT',
      'TENANT_CALLS_PER_MIN_CAP_DEFAULT',
      'CAPACITY_TTL_SECONDS',
      'REDIS_AUTH_TOKEN_SECRET_ARN',
    ];
    for (const name of shared) expect(envOf(adminId)[name]).toEqual(envOf(workerId)[name]);
    expect(envOf(adminId)).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'admin' });
    expect(envOf(adminId)).not.toHaveProperty('TELNYX_API_KEY_SECRET_ARN');
  });

  it('is named in the AdminFunctionName output, which the CLI looks up', () => {
    expect(ADMIN_FUNCTION_OUTPUT).toBe('AdminFunctionName');
    expect(template.toJSON().Outputs[ADMIN_FUNCTION_OUTPUT].Value).toEqual({ Ref: adminId });
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
    ['reconciler', () => reconcilerId],
  ])(
    'runs %s on nodejs22.x, arm64, with tracing, no source-map start-up cost and a retained log group',
    (_, id) => {
      const fn = props(id());
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
      expect(envOf(id()).NODE_OPTIONS).toBeUndefined();
      const logGroup = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(props(logGroup).RetentionInDays).toEqual(expect.any(Number));
    },
  );

  it('gives ingest the public key, the queue URL, the tolerance and the edge settings', () => {
    expect(Object.keys(envOf(ingestId)).sort()).toEqual(
      [
        'LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'QUEUE_URL',
        'TELNYX_CONNECTION_ID',
        'TELNYX_PUBLIC_KEY',
        'TELNYX_SOURCE_CIDRS',
        'WEBHOOK_TOLERANCE_SECONDS',
      ].sort(),
    );
    expect(envOf(ingestId)).toMatchObject({
      TELNYX_PUBLIC_KEY: { Ref: 'TelnyxPublicKey' },
      WEBHOOK_TOLERANCE_SECONDS: { Ref: 'WebhookToleranceSeconds' },
      TELNYX_CONNECTION_ID: { Ref: 'TelnyxConnectionId' },
      TELNYX_SOURCE_CIDRS: { Ref: 'TelnyxSourceCidrs' },
    });
  });

  it('reserves worker concurrency of at least its event source maximum, and caps ingest', () => {
    const parameters = template.toJSON().Parameters;
    expect(props(workerId).ReservedConcurrentExecutions).toEqual({
      Ref: 'WorkerReservedConcurrency',
    });
    expect(props(ingestId).ReservedConcurrentExecutions).toEqual({
      Ref: 'IngestReservedConcurrency',
    });
    const [, mapping] = onlyOfType('AWS::Lambda::EventSourceMapping');
    const max = (mapping.Properties.ScalingConfig as { MaximumConcurrency: number })
      .MaximumConcurrency;
    expect(parameters.WorkerReservedConcurrency.MinValue).toBeGreaterThanOrEqual(max);
    expect(parameters.WorkerReservedConcurrency.Default).toBeGreaterThanOrEqual(max);
    expect(parameters.IngestReservedConcurrency).toMatchObject({ Type: 'Number', Default: 50 });
  });

  it('keeps the floor of the worker reservation at a larger event source maximum', () => {
    const app = new App();
    const stack = new CallAdmissionStack(app, 'Bigger', {
      code: INLINE_CODE,
      workerMaxConcurrency: 40,
    });
    const parameters = Template.fromStack(stack).toJSON().Parameters;
    expect(parameters.WorkerReservedConcurrency).toMatchObject({ MinValue: 40, Default: 40 });
  });

  it('gives only the worker the Parameters and Secrets extension layer, for its arm64 build', () => {
    expect(props(workerId).Layers).toEqual([
      {
        'Fn::FindInMap': ['ParamsandsecretslayerMap', { Ref: 'AWS::Region' }, '1x0x103xarm64'],
      },
    ]);
    expect(props(ingestId).Layers).toBeUndefined();
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
        'TELNYX_BASE_URL',
        'TELNYX_SPEAK_VOICE',
        'TELNYX_SPEAK_LANGUAGE',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'LOG_LEVEL',
        // The Parameters and Secrets extension's own settings (CDK paramsAndSecrets).
        'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
        'PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE',
        'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
        'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
        'PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS',
        'SECRETS_MANAGER_TIMEOUT_MILLIS',
        'SECRETS_MANAGER_TTL',
        'SSM_PARAMETER_STORE_TIMEOUT_MILLIS',
        'SSM_PARAMETER_STORE_TTL',
      ].sort(),
    );
    expect(env).toMatchObject({
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
      SECRETS_MANAGER_TTL: String(SECRETS_EXTENSION_TTL_SECONDS),
    });
    expect(JSON.stringify(env.REDIS_URL)).toMatch(
      /rediss:\/\/.*PrimaryEndPoint\.Address.*PrimaryEndPoint\.Port/,
    );
    expect(env).toMatchObject({
      GLOBAL_CONCURRENCY_CAP: { Ref: 'GlobalConcurrencyCap' },
      CAPACITY_TTL_SECONDS: { Ref: 'CapacityTtlSeconds' },
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    });
    // Not even blank: the key is read from Secrets Manager and nothing can shadow it.
    expect(env).not.toHaveProperty('TELNYX_API_KEY');
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

  it('lets only the worker, the admin function and the reconciler read secrets; the worker cannot send', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([id]) => ({ Ref: id }));
    expect(secrets).toHaveLength(2);
    const reads = statementsOf(workerId).filter((s) =>
      actions(s).includes('secretsmanager:GetSecretValue'),
    );
    // minimizePolicies (cdk.json) merges the two grants into one statement with both secrets.
    const readable = reads.flatMap((s) => [s.Resource].flat());
    expect(readable).toEqual(expect.arrayContaining(secrets));
    expect(readable).toHaveLength(2);
    expect(statementsOf(workerId).flatMap(actions)).not.toContain('sqs:SendMessage');
    const readers = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers.map(([, p]) => p.Properties.Roles).sort()).toEqual(
      [
        [{ Ref: roleOf(workerId) }],
        [{ Ref: roleOf(adminId) }],
        [{ Ref: roleOf(reconcilerId) }],
      ].sort(),
    );
  });

  it('lets the admin function read only the Redis AUTH token, and touch no queue', () => {
    const [redisSecret] = ofType('AWS::SecretsManager::Secret').filter(([id]) =>
      id.startsWith('Redis'),
    );
    const statements = statementsOf(adminId);
    const reads = statements.filter((s) => actions(s).includes('secretsmanager:GetSecretValue'));

    expect(reads.map((s) => s.Resource)).toEqual([{ Ref: redisSecret?.[0] }]);
    expect(statements.flatMap(actions).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it("lets the worker shorten the visibility of its own queue's messages (quick retries), of no other queue", () => {
    const change = statementsOf(workerId).filter((s) =>
      actions(s).includes('sqs:ChangeMessageVisibility'),
    );
    expect(change.length).toBeGreaterThan(0);
    for (const s of change) expect(s.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });

  it('lets the reconciler read the two secrets and nothing else but X-Ray', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([id]) => ({ Ref: id }));
    const statements = statementsOf(reconcilerId);
    const reads = statements.filter((s) => actions(s).includes('secretsmanager:GetSecretValue'));
    // minimizePolicies (cdk.json) merges the grants into one statement with both secrets.
    expect(reads.flatMap((s) => [s.Resource].flat())).toEqual(expect.arrayContaining(secrets));
    expect(new Set(statements.flatMap(actions))).toEqual(
      new Set([
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]),
    );
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

  const alarmNamed = (id: string) => {
    const found = ofType('AWS::CloudWatch::Alarm').filter(([logicalId]) =>
      logicalId.startsWith(`Alarms${id}`),
    );
    if (found.length !== 1) throw new Error(`expected one alarm ${id}, found ${found.length}`);
    return (found[0] as [string, CfnResource])[1].Properties;
  };
  /** The metrics an alarm reads, whether it reads one metric or a math expression of several. */
  const metricsOf = (alarm: Record<string, unknown>) =>
    (
      alarm.Metrics as Array<{ MetricStat?: { Metric: Record<string, unknown>; Stat: string } }>
    ).flatMap((m): Record<string, unknown>[] =>
      m.MetricStat ? [{ ...m.MetricStat.Metric, Stat: m.MetricStat.Stat }] : [],
    );

  it.each([
    ['IngestThrottles', 'Throttles', () => ingestId],
    ['WorkerThrottles', 'Throttles', () => workerId],
  ])('pages within a minute on %s', (id, metricName, fn) => {
    expect(alarmNamed(id)).toMatchObject({
      MetricName: metricName,
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn() } }],
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('pages on a burst of signature rejections counted by ingest', () => {
    expect(alarmNamed('SignatureRejections')).toMatchObject({
      Namespace: 'TelnyxCallAdmission',
      MetricName: 'SignatureRejected',
      Dimensions: [{ Name: 'service', Value: 'ingest' }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
    });
  });

  it('pages on any failed call step, whatever the step', () => {
    const alarm = alarmNamed('CallStepFailed');
    const steps = metricsOf(alarm).map((m) => {
      expect(m).toMatchObject({ Namespace: 'TelnyxCallAdmission', MetricName: 'CallStepFailed' });
      return (m.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'Step')
        ?.Value;
    });
    expect(steps.sort()).toEqual(['admit', 'hang_up_denied', 'other', 'release', 'speak_denial']);
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
  });

  it('pages on calls refused because Redis failed: capacity checks and tenant lookups', () => {
    const alarm = alarmNamed('RedisTroubleDenials');
    expect(metricsOf(alarm)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'CallDenied',
          Dimensions: expect.arrayContaining([{ Name: 'Reason', Value: 'capacity_check_failed' }]),
        }),
        expect.objectContaining({ MetricName: 'TenantResolveFailed' }),
      ]),
    );
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
  });

  it.each([
    ['RedisMemory', 'DatabaseMemoryUsagePercentage', 80],
    ['RedisEvictions', 'Evictions', 1],
    ['RedisEngineCpu', 'EngineCPUUtilization', 80],
  ])('pages on %s of either Redis node', (id, metricName, threshold) => {
    const [groupId] = onlyOfType('AWS::ElastiCache::ReplicationGroup');
    const alarm = alarmNamed(id);
    const nodes = metricsOf(alarm).map((m) => {
      expect(m).toMatchObject({ Namespace: 'AWS/ElastiCache', MetricName: metricName });
      return (m.Dimensions as { Name: string; Value: unknown }[])[0];
    });
    expect(nodes).toEqual(
      ['001', '002'].map((suffix) => ({
        Name: 'CacheClusterId',
        Value: { 'Fn::Join': ['-', [{ Ref: groupId }, suffix]] },
      })),
    );
    expect(alarm).toMatchObject({ Threshold: threshold, EvaluationPeriods: 1 });
  });

  it('sends every alarm, and its recovery, to the topic', () => {
    const [topicId] = onlyOfType('AWS::SNS::Topic');
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(13);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
        // Silence is the failure only for the reconciler's schedule: no runs at all.
        TreatMissingData: id.startsWith('AlarmsReconcilerNotRunning')
          ? 'breaching'
          : 'notBreaching',
      });
    }
  });

  it('alarms on errors of every function', () => {
    const errorAlarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'Errors',
    );
    const functions = errorAlarms.map(
      ([, a]) => (a.Properties.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref,
    );
    expect(functions.sort()).toEqual([ingestId, workerId, reconcilerId].sort());
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
      WebhookToleranceSeconds: { Type: 'Number', Default: 300, MaxValue: 300 },
      TelnyxConnectionId: { Type: 'String', Default: '' },
      TelnyxSourceCidrs: { Type: 'String', Default: '' },
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

describe('lease reconciler', () => {
  it('runs every RECONCILE_INTERVAL_SECONDS on an EventBridge schedule, one value feeding both', () => {
    const [, rule] = onlyOfType('AWS::Events::Rule');
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [reconcilerId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    expect(envOf(reconcilerId).RECONCILE_INTERVAL_SECONDS).toBe('60');
    expect(props(reconcilerId).Timeout).toBe(60);
  });

  it('takes another interval from the context, and a lease floor of two intervals with it', () => {
    const app = new App({ context: { reconcileIntervalSeconds: 120 } });
    const stack = new CallAdmissionStack(app, 'Other', {
      code: INLINE_CODE,
      reconcileIntervalSeconds: 120,
    });
    const other = Template.fromStack(stack).toJSON();
    const [, rule] = Object.entries(other.Resources as Record<string, CfnResource>).find(
      ([, r]) => r.Type === 'AWS::Events::Rule',
    ) as [string, CfnResource];
    const [id] = findFunction(other.Resources, 'reconciler');
    expect(rule.Properties.ScheduleExpression).toBe('rate(2 minutes)');
    expect(
      (other.Resources[id].Properties.Environment as { Variables: Record<string, unknown> })
        .Variables.RECONCILE_INTERVAL_SECONDS,
    ).toBe('120');
    expect(other.Parameters.CapacityTtlSeconds.MinValue).toBe(241);
  });

  it('refuses an interval EventBridge cannot schedule', () => {
    expect(
      () =>
        new CallAdmissionStack(new App(), 'Bad', {
          code: INLINE_CODE,
          reconcileIntervalSeconds: 90,
        }),
    ).toThrow(/reconcileIntervalSeconds/);
  });

  it('gives the reconciler the Redis contract, its interval and secret ARNs, never secrets', () => {
    const env = envOf(reconcilerId);
    expect(env).toMatchObject({
      CAPACITY_TTL_SECONDS: { Ref: 'CapacityTtlSeconds' },
      CAP_PREFIX: { Ref: 'CapPrefix' },
      POWERTOOLS_SERVICE_NAME: 'reconciler',
      POWERTOOLS_METRICS_NAMESPACE: 'TelnyxCallAdmission',
    });
    expect(env.TELNYX_API_KEY_SECRET_ARN).toEqual(envOf(workerId).TELNYX_API_KEY_SECRET_ARN);
    expect(env.REDIS_URL).toEqual(envOf(workerId).REDIS_URL);
    expect(JSON.stringify(env)).not.toContain('resolve:secretsmanager');
  });

  it('alarms when the reconciler stops running: no invocations counts as breaching', () => {
    const [topicId] = onlyOfType('AWS::SNS::Topic');
    const silent = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'Invocations',
    );
    expect(silent.map(([, a]) => a.Properties)).toEqual([
      expect.objectContaining({
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topicId }],
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: reconcilerId } }],
      }),
    ]);
  });
});
