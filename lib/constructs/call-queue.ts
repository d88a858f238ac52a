import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How often a message is received before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** Options for {@link CallQueue}. */
export interface CallQueueProps {
  /** The consuming function's timeout; the visibility timeout is derived from it. */
  readonly consumerTimeout: Duration;
}

/**
 * The FIFO queue between ingest and worker (group = call_control_id, dedup = Telnyx event
 * id) and its FIFO dead-letter queue. High-throughput FIFO mode scales per message group,
 * which is per call, so one busy call never limits the others.
 */
export class CallQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: CallQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Long enough to investigate and redrive after a holiday weekend.
      retentionPeriod: Duration.days(14),
      // Failed webhooks are the evidence of an incident: `cdk destroy` leaves them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      fifo: true,
      // Ingest sets MessageDeduplicationId to the Telnyx event id: Telnyx re-deliveries of
      // one event collapse, while two events with equal bodies never would be confused.
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: six times the function timeout. A message stays in flight while the
      // Lambda poller retries a throttled or failed invocation of its batch, and must not
      // reappear (and be processed twice in parallel) before those retries are over.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      // A call's webhooks are worthless after a day; leases reclaim any slot left behind.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * Lets `sender` send to the call queue, and only it: the queue policy denies SendMessage to
   * every other principal (another role of the account, a leaked key), so a forged event can
   * enter only through the signature check.
   */
  public acceptMessagesOnlyFrom(sender: iam.IRole): void {
    this.queue.grantSendMessages(sender);
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyIngestSends',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': sender.roleArn } },
      }),
    );
  }
}
