import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_AWS_ENV, startSqsServer } from '../../local/sqs-server.js';

export { LOCAL_AWS_ENV };

/** A private local-aws-sqs server on a free loopback port. */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  /** A client for the test's own setup and assertions. */
  readonly client: SQSClient;
  /** Creates a FIFO queue (`.fifo` appended) and returns its URL. */
  createFifoQueue(name?: string): Promise<string>;
  deleteQueue(queueUrl: string): Promise<void>;
  /**
   * Receives and deletes up to 10 messages, with their system attributes (group and
   * deduplication ids): what a consumer would get, each message once.
   */
  receiveMessages(queueUrl: string): Promise<Message[]>;
  /** Takes messages until none are left, so each test starts from an empty queue. */
  drainQueue(queueUrl: string): Promise<void>;
  /**
   * Sets `AWS_ENDPOINT_URL_SQS` and dummy credentials, so code importing the SDK lands here.
   * Returns a function that puts the previous values back.
   */
  applyEnv(env?: NodeJS.ProcessEnv): () => void;
  /** Stops the server, dropping kept-alive connections so later sends fail at once. */
  stop(): Promise<void>;
}

/** Starts local-aws-sqs on a free port (it emulates FIFO dedup, not group locking). */
export async function startLocalSqs(): Promise<LocalSqs> {
  // Tests recreate deleted queues at once; real SQS makes you wait 60 s.
  const { endpoint, client, stop } = await startSqsServer({ emulateQueueCreationLifecycle: false });
  const receive = async (queueUrl: string): Promise<Message[]> => {
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        // local-aws-sqs reads the older AttributeNames; real SQS reads the newer name.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return messages;
    const Entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
    const deleted = await client.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }),
    );
    if (deleted.Failed?.length) throw new Error(`could not delete: ${deleted.Failed[0]?.Message}`);
    return messages;
  };
  return {
    endpoint,
    client,
    async createFifoQueue(name = `queue-${Math.random().toString(36).slice(2, 10)}`) {
      const command = new CreateQueueCommand({
        QueueName: `${name}.fifo`,
        Attributes: { FifoQueue: 'true' },
      });
      const { QueueUrl } = await client.send(command);
      if (!QueueUrl) throw new Error('local-aws-sqs returned no QueueUrl');
      return QueueUrl;
    },
    async deleteQueue(queueUrl) {
      await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    },
    receiveMessages: receive,
    // Not PurgeQueue: it is limited to once a minute, and local-aws-sqs emulates that.
    async drainQueue(queueUrl) {
      while ((await receive(queueUrl)).length > 0) {}
    },
    applyEnv: (env = process.env) =>
      setEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: endpoint }, env),
    stop,
  };
}

/**
 * Sets environment variables (`undefined` deletes one) and returns a function restoring the
 * previous values, so a test file leaves no configuration behind for the next file in its worker.
 */
export function setEnv(
  vars: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  };
  assign(vars);
  return () => assign(previous);
}
