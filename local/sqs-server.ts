import type { Server } from 'node:http';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';

/** Dummy region and credentials: local-aws-sqs checks none, but the SDK insists on having them. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

/** A running local-aws-sqs server and an SQS client pointed at it. */
export interface SqsServer {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Stops the server, dropping kept-alive connections so later sends fail at once. */
  stop(): Promise<void>;
}

/** Starts local-aws-sqs on loopback (`port` 0: a free one), with a client for it. */
export async function startSqsServer(
  options: { readonly port?: number; readonly emulateQueueCreationLifecycle?: boolean } = {},
): Promise<SqsServer> {
  const server: Server = await createSqsServer({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    ...(options.emulateQueueCreationLifecycle === undefined
      ? {}
      : { emulateQueueCreationLifecycle: options.emulateQueueCreationLifecycle }),
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A local-aws-sqs server holding one FIFO queue, standing in for SQS. */
export interface LocalQueue {
  /** The value for `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly client: SQSClient;
  stop(): Promise<void>;
}

/** Starts local-aws-sqs on `port` (0: a free one) with a FIFO queue named `name`.fifo. */
export async function startLocalQueue(port = 0, name = 'call-events'): Promise<LocalQueue> {
  const sqs = await startSqsServer({ port });
  // FIFO as in AWS; content-based deduplication off, because ingest sends the event id.
  const { QueueUrl } = await sqs.client.send(
    new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  if (!QueueUrl) throw new Error('local-aws-sqs returned no QueueUrl');
  return { ...sqs, queueUrl: QueueUrl };
}
