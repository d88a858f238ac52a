import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';
import { sqsRecord } from './lambda-events.js';
import { deleteBatch, receiveBatch } from './sqs-server.js';

/** The worker handler's shape, as the Lambda runtime calls it. */
export type WorkerHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

export interface PollOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly worker: WorkerHandler;
  /** Seconds before a failed message is offered again (Lambda waits a visibility timeout). */
  readonly retryDelaySeconds?: number;
}

/** What one poll delivered: how many records, and which message ids the worker failed. */
export interface PollResult {
  readonly delivered: number;
  readonly failed: readonly string[];
}

/**
 * Does what Lambda's SQS event source does, once: receive a batch (none when the queue is
 * empty), invoke the worker with it, delete what succeeded and put the reported failures
 * back for a later retry.
 */
export async function pollOnce(options: PollOptions): Promise<PollResult> {
  const { sqs, queueUrl } = options;
  const messages = await receiveBatch(sqs, queueUrl);
  if (messages.length === 0) return { delivered: 0, failed: [] };
  const records = messages.map((m) => toRecord(m, queueUrl));
  const response = await options.worker({ Records: records }, lambdaContext('worker', 30_000));
  const failed = new Set(response?.batchItemFailures.map((f) => f.itemIdentifier) ?? []);
  const isFailed = (m: Message) => failed.has(m.MessageId as string);
  const succeeded = messages.filter((m) => !isFailed(m));
  await deleteBatch(sqs, queueUrl, succeeded);
  const VisibilityTimeout = options.retryDelaySeconds ?? 0;
  for (const m of messages.filter(isFailed)) {
    const retry = { QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout };
    await sqs.send(new ChangeMessageVisibilityCommand(retry));
  }
  return { delivered: messages.length, failed: [...failed] };
}

/** A received message as Lambda's event source hands it over, ARN naming `queueUrl`'s queue. */
export function toRecord(message: Message, queueUrl: string): SQSRecord {
  const [account, name] = new URL(queueUrl).pathname.split('/').filter(Boolean);
  return sqsRecord(message.Body ?? '', {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    attributes: message.Attributes,
    eventSourceARN: `arn:aws:sqs:us-east-1:${account}:${name}`,
  });
}
