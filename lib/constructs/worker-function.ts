import { Duration, SecretValue, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../../shared/config/admission-config.js';
import { ENV_NAMES as N } from '../../shared/config/env-names.js';
import { SPEAK_DEFAULTS } from '../../shared/config/worker-config.js';
import { createNodeFunction } from './node-function.js';

/** How long the secrets extension may serve a cached secret before asking Secrets Manager. */
export const SECRETS_EXTENSION_TTL_SECONDS = 60;

import type { RedisReplicationGroup } from './redis-replication-group.js';

/**
 * The worker's timeout. FIFO batches are processed in order, one record at a time, and a
 * Telnyx command may take three 5 s attempts when Telnyx is slow, so a batch of ten needs
 * room; a run that times out fails the whole batch back to the queue.
 */
export const WORKER_TIMEOUT = Duration.seconds(60);

/** The Redis contract's settings, as strings because they usually are parameter tokens. */
export interface AdmissionSettings {
  readonly tenantmapPrefix: string;
  readonly capPrefix: string;
  readonly tenantcfgPrefix: string;
  readonly globalConcurrencyCap: string;
  readonly tenantConcurrencyCapDefault: string;
  readonly tenantCallsPerMinCapDefault: string;
  readonly capacityTtlSeconds: string;
}

/**
 * The Redis contract's variables for a function that talks to `redis`: its URL, the AUTH token's
 * secret and the admission settings (the worker applies them, the admin function reports them).
 */
export function redisContractEnvironment(
  redis: RedisReplicationGroup,
  admission: AdmissionSettings,
): Record<string, string> {
  return {
    [N.redisUrl]: redis.url,
    [N.tenantmapPrefix]: admission.tenantmapPrefix,
    [N.capPrefix]: admission.capPrefix,
    [N.tenantcfgPrefix]: admission.tenantcfgPrefix,
    [N.globalConcurrencyCap]: admission.globalConcurrencyCap,
    [N.tenantConcurrencyCapDefault]: admission.tenantConcurrencyCapDefault,
    [N.tenantCallsPerMinCapDefault]: admission.tenantCallsPerMinCapDefault,
    [N.capacityTtlSeconds]: admission.capacityTtlSeconds,
    [N.redisAuthTokenSecretArn]: redis.authTokenSecret.secretArn,
  };
}

/**
 * The variables the worker and the reconciler share: the Redis contract's, the client's and
 * the Telnyx key's secret ARN (never the secret itself).
 */
export function admissionEnvironment(
  redis: RedisReplicationGroup,
  admission: AdmissionSettings,
  telnyxApiKeySecret: secretsmanager.ISecret,
): Record<string, string> {
  return {
    ...redisContractEnvironment(redis, admission),
    [N.redisCommandTimeoutMs]: String(DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
    [N.telnyxApiKeySecretArn]: telnyxApiKeySecret.secretArn,
  };
}

/** Options for {@link WorkerFunction}. */
export interface WorkerFunctionProps {
  readonly code: lambda.Code;
  readonly vpc: ec2.IVpc;
  readonly queue: sqs.IQueue;
  readonly redis: RedisReplicationGroup;
  readonly admission: AdmissionSettings;
  readonly logLevel: string;
  /**
   * Most worker invocations at once. Each container holds one Redis connection and sends
   * Telnyx commands, so this bounds the load on both whatever the queue depth.
   */
  readonly maxConcurrency: number;
  /**
   * Reserved concurrency, at least `maxConcurrency` (the parameter's floor), so the event
   * source can always run its pollers' invocations however busy the rest of the account is.
   */
  readonly reservedConcurrency: string;
  /**
   * A template for `sam local invoke` only: declare a blank `TELNYX_API_KEY` so `--env-vars`
   * may set one (SAM only overrides declared variables), and leave out the secrets extension
   * layer (SAM would need AWS credentials to fetch it; the env-vars file gives plain values).
   * Off for a deployment: the key lives in Secrets Manager.
   */
  readonly localInvoke?: boolean;
}

/**
 * The call flow worker: consumes the call queue in batches with partial failure reporting,
 * runs admission against Redis and drives calls through Telnyx Call Control. It runs in the
 * private subnets (NAT egress for the Telnyx API) and owns the Telnyx API key secret.
 */
export class WorkerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly securityGroup: ec2.SecurityGroup;
  /** Holds a placeholder until the operator puts the Telnyx API key in it. */
  public readonly telnyxApiKeySecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: WorkerFunctionProps) {
    super(scope, id);
    this.telnyxApiKeySecret = new secretsmanager.Secret(this, 'TelnyxApiKey', {
      description: 'Telnyx API v2 key used by the call admission worker (set after deploy)',
      // Not a secret: a marker the operator replaces (see docs/operations.md). Later deploys
      // leave the operator's value alone because this property does not change.
      secretStringValue: SecretValue.unsafePlainText('REPLACE_WITH_TELNYX_API_KEY'),
    });
    Validations.of(this.telnyxApiKeySecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Telnyx API keys are issued and revoked in the Telnyx portal, which Secrets Manager ' +
        'rotation cannot drive; operators rotate by creating a new key and running ' +
        'put-secret-value (docs/operations.md).',
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Call admission worker: HTTPS out (Telnyx, AWS APIs) and Redis',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Telnyx and AWS APIs');
    this.function = createNodeFunction(this, {
      code: props.code,
      description: 'Telnyx call admission worker: tenant, capacity, Call Control',
      timeout: WORKER_TIMEOUT,
      reservedConcurrentExecutions: Token.asNumber(props.reservedConcurrency),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      // Secrets are read through AWS's Parameters and Secrets extension on localhost, so the
      // worker bundles no Secrets Manager client (a quarter of its cold-start code). It holds
      // a value for at most 60 s; the worker keeps the key TELNYX_API_KEY_MAX_AGE_SECONDS and
      // re-reads it past both caches after a 401.
      paramsAndSecrets: props.localInvoke
        ? undefined
        : lambda.ParamsAndSecretsLayerVersion.fromVersion(
            lambda.ParamsAndSecretsVersions.V1_0_103,
            {
              secretsManagerTtl: Duration.seconds(SECRETS_EXTENSION_TTL_SECONDS),
              cacheSize: 10,
              logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
            },
          ),
      environment: {
        ...admissionEnvironment(props.redis, props.admission, this.telnyxApiKeySecret),
        // Declared (Telnyx's own URL) so `sam local invoke --env-vars` may point a local
        // worker at the Telnyx simulator.
        ...(props.localInvoke ? { [N.telnyxApiKey]: '' } : {}),
        TELNYX_BASE_URL: 'https://api.telnyx.com/v2',
        [N.telnyxSpeakVoice]: SPEAK_DEFAULTS.voice,
        [N.telnyxSpeakLanguage]: SPEAK_DEFAULTS.language,
        POWERTOOLS_SERVICE_NAME: 'worker',
        [N.metricsNamespace]: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel,
      },
    });
    this.telnyxApiKeySecret.grantRead(this.function);
    props.redis.grantConnect(this.function, 'call admission worker');

    // The event source's consume grant includes sqs:ChangeMessageVisibility on this queue,
    // which the worker uses to retry a failed record within seconds (retry-failed-records.ts).
    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: 10,
        // A failing call's messages are retried alone, not the whole batch.
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }
}
