import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV_NAMES as N } from '../../shared/config/env-names.js';
import { createNodeFunction } from './node-function.js';

/** Options for {@link IngestFunction}; string values may be parameter tokens. */
export interface IngestFunctionProps {
  readonly code: lambda.Code;
  readonly queue: sqs.IQueue;
  /** Base64 raw Ed25519 key(s) as Telnyx shows them, comma-separated during rotation. */
  readonly telnyxPublicKey: string;
  readonly webhookToleranceSeconds: string;
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
      environment: {
        [N.telnyxPublicKey]: props.telnyxPublicKey,
        [N.queueUrl]: props.queue.queueUrl,
        [N.webhookToleranceSeconds]: props.webhookToleranceSeconds,
        POWERTOOLS_SERVICE_NAME: 'ingest',
        LOG_LEVEL: props.logLevel,
      },
    });
    props.queue.grantSendMessages(this.function);
  }
}
