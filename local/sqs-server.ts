import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { closeServer, portOf } from './servers.js';
import { setEnv } from './set-env.js';

/** Dummy region and credentials: local-aws-sqs checks none, but the SDK insists on having them. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

/** A private local-aws-sqs server on loopback, standing in for SQS. */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  /** A client for setup, polling and assertions. */
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
  applyEnv(): () => void;
  /** Stops the server, dropping kept-alive connections so later sends fail at once. */
  stop(): Promise<void>;
}

/**
 * Starts local-aws-sqs on `port` (0: a free one). It emulates FIFO deduplication, not group
 * locking; deleted queues can be recreated at once (real SQS makes you wait 60 s).
 */
export async function startLocalSqs(port = 0): Promise<LocalSqs> {
  const server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    emulateQueueCreationLifecycle: false,
  });
  const endpoint = `http://127.0.0.1:${portOf(server)}`;
  const client = new SQSClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const receive = async (queueUrl: string) => {
    const messages = await receiveBatch(client, queueUrl);
    await deleteBatch(client, queueUrl, messages);
    return messages;
  };
  return {
    endpoint,
    client,
    async createFifoQueue(name = `queue-${Math.random().toString(36).slice(2, 10)}`) {
      // FIFO as in AWS; content-based deduplication off, because ingest sends the event id.
      const Attributes = { FifoQueue: 'true' };
      const command = new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes });
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
    applyEnv: () => setEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: endpoint }),
    async stop() {
      client.destroy();
      await closeServer(server);
    },
  };
}

/**
 * Receives up to 10 messages with their system attributes (group and deduplication ids), as
 * Lambda's event source does; `waitSeconds` 0 returns at once when the queue is empty.
 */
export async function receiveBatch(
  client: Pick<SQSClient, 'send'>,
  queueUrl: string,
  waitSeconds = 0,
): Promise<Message[]> {
  const command = new ReceiveMessageCommand({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: waitSeconds,
    // local-aws-sqs reads the older AttributeNames; real SQS reads the newer name.
    AttributeNames: ['All'],
    MessageSystemAttributeNames: ['All'],
  });
  return (await client.send(command)).Messages ?? [];
}

/** Deletes `messages` from the queue (each one once received). */
export async function deleteBatch(
  client: Pick<SQSClient, 'send'>,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> {
  if (messages.length === 0) return;
  const Entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
  const deleted = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
  if (deleted.Failed?.length) throw new Error(`could not delete: ${deleted.Failed[0]?.Message}`);
}
