import {
  CfnOutput,
  CfnParameter,
  type CfnParameterProps,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CallQueue } from './constructs/call-queue.js';
import { IngestFunction } from './constructs/ingest-function.js';
import { Network } from './constructs/network.js';
import { Alarms } from './constructs/operations/alarms.js';
import { Dashboard } from './constructs/operations/dashboard.js';
import { RedisReplicationGroup } from './constructs/redis-replication-group.js';
import { WebhookApi } from './constructs/webhook-api.js';
import { WORKER_TIMEOUT, WorkerFunction } from './constructs/worker-function.js';
import type { FunctionCode } from './function-code.js';

/** The stack's name in CloudFormation (and of its template in `cdk.out`). */
export const STACK_NAME = 'TelnyxCallAdmission';

/** Options for {@link CallAdmissionStack}; everything but `code` has a default. */
export interface CallAdmissionStackProps extends StackProps {
  /** Both functions' deployment packages (the real bundles, or inline code in tests). */
  readonly code: FunctionCode;
  /** NAT gateways (default 1: one gateway is most of the idle cost; 2 survive an AZ loss). */
  readonly natGateways?: number;
  /** Most concurrent worker invocations (default 10), which bounds Redis and Telnyx load. */
  readonly workerMaxConcurrency?: number;
  /** ElastiCache node type for the primary and the replica (default cache.t4g.micro). */
  readonly redisNodeType?: string;
}

/**
 * Telnyx call admission: webhook API -> ingest -> SQS FIFO -> worker (VPC) -> Redis and
 * Telnyx Call Control, with alarms and a dashboard. The stack only composes constructs
 * and turns its parameters into their settings.
 */
export class CallAdmissionStack extends Stack {
  constructor(scope: Construct, id: string, props: CallAdmissionStackProps) {
    super(scope, id, props);
    const param = stackParameters(this);
    const network = new Network(this, 'Network', { natGateways: props.natGateways ?? 1 });
    const callQueue = new CallQueue(this, 'CallQueue', { consumerTimeout: WORKER_TIMEOUT });
    const redis = new RedisReplicationGroup(this, 'Redis', {
      vpc: network.vpc,
      ...(props.redisNodeType ? { nodeType: props.redisNodeType } : {}),
    });
    const ingest = new IngestFunction(this, 'Ingest', {
      code: props.code.ingest,
      queue: callQueue.queue,
      telnyxPublicKey: param('TelnyxPublicKey'),
      webhookToleranceSeconds: param('WebhookToleranceSeconds'),
      logLevel: param('LogLevel'),
    });
    const worker = new WorkerFunction(this, 'Worker', {
      code: props.code.worker,
      vpc: network.vpc,
      queue: callQueue.queue,
      redis,
      maxConcurrency: props.workerMaxConcurrency ?? 10,
      logLevel: param('LogLevel'),
      admission: {
        tenantmapPrefix: param('TenantmapPrefix'),
        capPrefix: param('CapPrefix'),
        tenantcfgPrefix: param('TenantcfgPrefix'),
        globalConcurrencyCap: param('GlobalConcurrencyCap'),
        tenantConcurrencyCapDefault: param('TenantConcurrencyCapDefault'),
        tenantCallsPerMinCapDefault: param('TenantCallsPerMinCapDefault'),
        capacityTtlSeconds: param('CapacityTtlSeconds'),
      },
    });
    const api = new WebhookApi(this, 'WebhookApi', { handler: ingest.function });
    const observed = {
      queue: callQueue.queue,
      deadLetterQueue: callQueue.deadLetterQueue,
      ingest: ingest.function,
      worker: worker.function,
      httpApi: api.httpApi,
    };
    const alarms = new Alarms(this, 'Alarms', observed);
    new Dashboard(this, 'Dashboard', observed);

    output(this, 'WebhookUrl', api.webhookUrl, 'Telnyx application webhook URL');
    output(this, 'QueueUrl', callQueue.queue.queueUrl, 'Call event FIFO queue');
    output(this, 'DeadLetterQueueUrl', callQueue.deadLetterQueue.queueUrl, 'Dead-letter queue');
    output(this, 'RedisEndpoint', redis.primaryEndpointAddress, 'Redis primary (TLS, AUTH)');
    output(
      this,
      'TelnyxApiKeySecretName',
      worker.telnyxApiKeySecret.secretName,
      'Put the Telnyx API key here after deploy',
    );
    output(this, 'RedisAuthSecretName', redis.authTokenSecret.secretName, 'Redis AUTH token');
    output(this, 'AlarmTopicArn', alarms.topic.topicArn, 'Subscribe on-call to this topic');
  }
}

function output(stack: Stack, id: string, value: string, description: string): void {
  new CfnOutput(stack, id, { value, description });
}

/**
 * Declares the deploy-time settings. Numbers are `Number` parameters with a floor of 1,
 * so CloudFormation rejects a zero cap before the worker would.
 */
function stackParameters(stack: Stack): (name: ParameterName) => string {
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(PARAMETERS)) {
    values.set(name, new CfnParameter(stack, name, spec).valueAsString);
  }
  return (name) => values.get(name) as string;
}

/** Stack parameters and their documented defaults (see the README, Deploy and operate). */
export const PARAMETERS = {
  TelnyxPublicKey: {
    type: 'String',
    description:
      'Telnyx Ed25519 public key (base64, as shown in the Telnyx portal); comma-separate two during rotation',
    minLength: 1,
  },
  WebhookToleranceSeconds: {
    type: 'Number',
    default: 300,
    minValue: 1,
    description: 'Largest accepted clock skew of a webhook timestamp, either direction (s)',
  },
  GlobalConcurrencyCap: {
    type: 'Number',
    default: 100,
    minValue: 1,
    description: 'Most concurrent calls across all tenants',
  },
  TenantConcurrencyCapDefault: {
    type: 'Number',
    default: 10,
    minValue: 1,
    description: 'Most concurrent calls per tenant, unless overridden in Redis',
  },
  TenantCallsPerMinCapDefault: {
    type: 'Number',
    default: 30,
    minValue: 1,
    description: 'Most new calls per tenant per minute, unless overridden in Redis',
  },
  CapacityTtlSeconds: {
    type: 'Number',
    default: 7200,
    minValue: 60,
    // A lease that expires frees its slot while the call may still be up, so the TTL
    // must exceed the longest call; a lost hangup then holds a slot at most this long.
    description:
      'Lifetime of a call capacity lease (s); must exceed the longest expected call (default 2 h)',
  },
  TenantmapPrefix: {
    type: 'String',
    default: 'tenantmap',
    minLength: 1,
    description: 'Redis key prefix of the DID-to-tenant map and the cap overrides',
  },
  CapPrefix: {
    type: 'String',
    default: 'cap',
    minLength: 1,
    description: 'Redis key prefix of the capacity keys',
  },
  TenantcfgPrefix: {
    type: 'String',
    default: 'tenantcfg',
    minLength: 1,
    description: 'Redis key prefix of the tenant call plans (tenantcfg)',
  },
  LogLevel: {
    type: 'String',
    default: 'INFO',
    allowedValues: ['DEBUG', 'INFO', 'WARN', 'ERROR'],
    description: 'Powertools Logger level of both functions',
  },
} satisfies Record<string, CfnParameterProps>;

type ParameterName = keyof typeof PARAMETERS;
