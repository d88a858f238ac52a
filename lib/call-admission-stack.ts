import {
  CfnOutput,
  CfnParameter,
  type CfnParameterProps,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { KEY_PREFIX_DEFAULTS } from '../shared/config/env-names.js';
import { AdminFunction } from './constructs/admin-function.js';
import { CallQueue } from './constructs/call-queue.js';
import { IngestFunction } from './constructs/ingest-function.js';
import { Network } from './constructs/network.js';
import { Alarms } from './constructs/operations/alarms.js';
import { Dashboard } from './constructs/operations/dashboard.js';
import { ReconcilerFunction } from './constructs/reconciler-function.js';
import { RedisReplicationGroup } from './constructs/redis-replication-group.js';
import { WebhookApi } from './constructs/webhook-api.js';
import { WORKER_TIMEOUT, WorkerFunction } from './constructs/worker-function.js';
import type { FunctionCode } from './function-code.js';
import { ADMIN_FUNCTION_OUTPUT } from './stack-outputs.js';

/** The stack's name in CloudFormation (and of its template in `cdk.out`). */
export const STACK_NAME = 'TelnyxCallAdmission';

/** Options for {@link CallAdmissionStack}; everything but `code` has a default. */
export interface CallAdmissionStackProps extends StackProps {
  /** The functions' deployment packages (the real bundles, or inline code in tests). */
  readonly code: FunctionCode;
  /** NAT gateways (default 1: one gateway is most of the idle cost; 2 survive an AZ loss). */
  readonly natGateways?: number;
  /** Most concurrent worker invocations (default 10), which bounds Redis and Telnyx load. */
  readonly workerMaxConcurrency?: number;
  /** ElastiCache node type for the primary and the replica (default cache.t4g.micro). */
  readonly redisNodeType?: string;
  /** For `sam local invoke` only: declare a blank `TELNYX_API_KEY` on the worker (docs/local-development.md). */
  readonly localInvoke?: boolean;
  /**
   * RECONCILE_INTERVAL_SECONDS: how often the lease reconciler runs (default 60; whole
   * minutes, as EventBridge schedules are). The schedule and the function read this value.
   */
  readonly reconcileIntervalSeconds?: number;
}

/** Default of {@link CallAdmissionStackProps.reconcileIntervalSeconds}. */
export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 60;

/**
 * Telnyx call admission: webhook API -> ingest -> SQS FIFO -> worker (VPC) -> Redis and
 * Telnyx Call Control, with alarms and a dashboard. The stack only composes constructs
 * and turns its parameters into their settings.
 */
export class CallAdmissionStack extends Stack {
  constructor(scope: Construct, id: string, props: CallAdmissionStackProps) {
    super(scope, id, props);
    const workerMaxConcurrency = props.workerMaxConcurrency ?? 10;
    const reconcileInterval = props.reconcileIntervalSeconds ?? DEFAULT_RECONCILE_INTERVAL_SECONDS;
    const param = stackParameters(this, {
      // The floor keeps reserved concurrency at or above what the event source may run.
      WorkerReservedConcurrency: { minValue: workerMaxConcurrency, default: workerMaxConcurrency },
      // A lease must outlive two reconciler intervals, or a live call could lose its slot.
      CapacityTtlSeconds: {
        minValue: Math.max(PARAMETERS.CapacityTtlSeconds.minValue, 2 * reconcileInterval + 1),
      },
    });
    const network = new Network(this, 'Network', { natGateways: props.natGateways ?? 1 });
    const callQueue = new CallQueue(this, 'CallQueue', { consumerTimeout: WORKER_TIMEOUT });
    const redis = new RedisReplicationGroup(this, 'Redis', {
      vpc: network.vpc,
      ...(props.redisNodeType ? { nodeType: props.redisNodeType } : {}),
    });
    const admission = {
      tenantmapPrefix: param('TenantmapPrefix'),
      capPrefix: param('CapPrefix'),
      tenantcfgPrefix: param('TenantcfgPrefix'),
      globalConcurrencyCap: param('GlobalConcurrencyCap'),
      tenantConcurrencyCapDefault: param('TenantConcurrencyCapDefault'),
      tenantCallsPerMinCapDefault: param('TenantCallsPerMinCapDefault'),
      capacityTtlSeconds: param('CapacityTtlSeconds'),
    };
    const ingest = new IngestFunction(this, 'Ingest', {
      code: props.code.ingest,
      queue: callQueue,
      telnyxPublicKey: param('TelnyxPublicKey'),
      webhookToleranceSeconds: param('WebhookToleranceSeconds'),
      connectionIds: param('TelnyxConnectionId'),
      sourceCidrs: param('TelnyxSourceCidrs'),
      reservedConcurrency: param('IngestReservedConcurrency'),
      logLevel: param('LogLevel'),
    });
    const worker = new WorkerFunction(this, 'Worker', {
      code: props.code.worker,
      vpc: network.vpc,
      queue: callQueue.queue,
      redis,
      maxConcurrency: workerMaxConcurrency,
      reservedConcurrency: param('WorkerReservedConcurrency'),
      localInvoke: props.localInvoke ?? false,
      logLevel: param('LogLevel'),
      admission,
    });
    const admin = new AdminFunction(this, 'Admin', {
      code: props.code.admin,
      vpc: network.vpc,
      redis,
      admission,
      logLevel: param('LogLevel'),
    });
    const reconciler = new ReconcilerFunction(this, 'Reconciler', {
      code: props.code.reconciler,
      vpc: network.vpc,
      redis,
      admission,
      telnyxApiKeySecret: worker.telnyxApiKeySecret,
      intervalSeconds: reconcileInterval,
      logLevel: param('LogLevel'),
    });
    const api = new WebhookApi(this, 'WebhookApi', { handler: ingest.function });
    const observed = {
      queue: callQueue.queue,
      deadLetterQueue: callQueue.deadLetterQueue,
      ingest: ingest.function,
      worker: worker.function,
      httpApi: api.httpApi,
    };
    const alarms = new Alarms(this, 'Alarms', {
      ...observed,
      redis: redis.replicationGroup,
      reconciler: reconciler.function,
      reconcileIntervalSeconds: reconcileInterval,
    });
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
    output(
      this,
      ADMIN_FUNCTION_OUTPUT,
      admin.function.functionName,
      'Tenant admin: npm run tenants -- --stack <this stack> <command> (IAM invoke only)',
    );
    output(this, 'AlarmTopicArn', alarms.topic.topicArn, 'Subscribe on-call to this topic');
  }
}

function output(stack: Stack, id: string, value: string, description: string): void {
  new CfnOutput(stack, id, { value, description });
}

/**
 * Declares the deploy-time settings. Numbers are `Number` parameters with a floor of 1,
 * so CloudFormation rejects a zero cap before the worker would. A lease must outlive two
 * reconciler intervals, or a live call could lose its slot between two runs.
 */
function stackParameters(
  stack: Stack,
  overrides: Partial<Record<ParameterName, Partial<CfnParameterProps>>>,
): (name: ParameterName) => string {
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(PARAMETERS)) {
    const props = { ...spec, ...overrides[name as ParameterName] };
    values.set(name, new CfnParameter(stack, name, props).valueAsString);
  }
  return (name) => values.get(name) as string;
}

/** Stack parameters and their documented defaults (docs/operations.md). */
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
    // Not above the FIFO deduplication window (5 min): a replay accepted later than that
    // would be queued again instead of collapsing into the original.
    maxValue: 300,
    description:
      'Largest accepted clock skew of a webhook timestamp, either direction (s, max 300)',
  },
  TelnyxConnectionId: {
    type: 'String',
    default: '',
    description:
      'Telnyx connection (application) ids this deployment serves, comma-separated; events of other connections are acknowledged and dropped. Empty: any',
  },
  TelnyxSourceCidrs: {
    type: 'String',
    default: '',
    description:
      "CIDRs (IPv4/IPv6, comma-separated) webhooks may come from, e.g. Telnyx's published webhook ranges; others get 401. Empty: any",
  },
  IngestReservedConcurrency: {
    type: 'Number',
    default: 50,
    minValue: 1,
    description:
      'Reserved (and most) concurrent ingest invocations: a webhook flood cannot starve the worker. Counts against the account limit',
  },
  WorkerReservedConcurrency: {
    type: 'Number',
    default: 10,
    minValue: 10,
    description:
      'Reserved concurrent worker invocations, at least the queue event source maximum concurrency. Counts against the account limit',
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
    // The reconciler renews the leases of live calls, so this is the safety net: how long
    // a call keeps its slot if the reconciler stops running (or Telnyx cannot be asked).
    description:
      'Lifetime of a call capacity lease (s), renewed by the reconciler while the call lives; ' +
      'more than two reconcile intervals (default 2 h)',
  },
  TenantmapPrefix: {
    type: 'String',
    default: KEY_PREFIX_DEFAULTS.tenantmapPrefix,
    minLength: 1,
    description: 'Redis key prefix of the DID-to-tenant map and the cap overrides',
  },
  CapPrefix: {
    type: 'String',
    default: KEY_PREFIX_DEFAULTS.capPrefix,
    minLength: 1,
    description: 'Redis key prefix of the capacity keys',
  },
  TenantcfgPrefix: {
    type: 'String',
    default: KEY_PREFIX_DEFAULTS.tenantcfgPrefix,
    minLength: 1,
    description: 'Redis key prefix of the tenant call plans (tenantcfg)',
  },
  LogLevel: {
    type: 'String',
    default: 'INFO',
    allowedValues: ['DEBUG', 'INFO', 'WARN', 'ERROR'],
    description: 'Powertools Logger level of every function',
  },
} satisfies Record<string, CfnParameterProps>;

type ParameterName = keyof typeof PARAMETERS;
