import { Duration, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { ENV_NAMES as N } from '../../shared/config/env-names.js';
import type { CallQueue } from './call-queue.js';
import { createNodeFunction } from './node-function.js';

/** Options for {@link IngestFunction}; string values may be parameter tokens. */
export interface IngestFunctionProps {
  readonly code: lambda.Code;
  readonly queue: CallQueue;
  /** Base64 raw Ed25519 key(s) as Telnyx shows them, comma-separated during rotation. */
  readonly telnyxPublicKey: string;
  readonly webhookToleranceSeconds: string;
  /** Comma-separated Telnyx connection ids to accept; empty accepts any. */
  readonly connectionIds: string;
  /** Comma-separated CIDRs webhooks may come from; empty accepts any. */
  readonly sourceCidrs: string;
  /** Reserved concurrency: a webhook flood cannot take the worker's share of the account. */
  readonly reservedConcurrency: string;
  readonly logLevel: string;
}

/**
 * The webhook receiver: verifies Telnyx's Ed25519 signature and enqueues the raw body. It
 * is the only principal allowed to send to the call queue, and it reads no secrets.
 */
export class IngestFunction extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    this.function = createNodeFunction(this, {
      code: props.code,
      description: 'Telnyx webhook ingest: verify the signature, enqueue the event',
      // One signature check and one SendMessage; Telnyx waits for the answer.
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: Token.asNumber(props.reservedConcurrency),
      environment: {
        [N.telnyxPublicKey]: props.telnyxPublicKey,
        [N.queueUrl]: props.queue.queue.queueUrl,
        [N.webhookToleranceSeconds]: props.webhookToleranceSeconds,
        [N.telnyxConnectionId]: props.connectionIds,
        [N.telnyxSourceCidrs]: props.sourceCidrs,
        POWERTOOLS_SERVICE_NAME: 'ingest',
        [N.metricsNamespace]: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel,
      },
    });
    props.queue.acceptMessagesOnlyFrom(this.function.role as iam.IRole);
  }
}
