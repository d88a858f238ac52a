import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import { queueUrlOf, retryVisibility } from './retry-schedule.js';

/**
 * Makes the batch's failed records visible again after a short back-off instead of the
 * queue's visibility timeout, so a call set-up is retried within seconds. Best effort: a
 * failure here is logged and the record simply waits for the queue's own timeout.
 */
export async function retryFailedRecords(
  sqs: Pick<SQSClient, 'send'>,
  records: readonly SQSRecord[],
  failures: readonly SQSBatchItemFailure[],
  logger: Pick<AppLogger, 'warn'>,
  nowMs: number = Date.now(),
): Promise<void> {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  const byQueue = new Map<
    string,
    { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[]
  >();
  records.forEach((record, i) => {
    const visibility = failed.has(record.messageId) ? retryVisibility(record, nowMs) : undefined;
    if (visibility === undefined) return;
    const url = queueUrlOf(record.eventSourceARN);
    const entry = {
      Id: String(i),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: visibility,
    };
    byQueue.set(url, [...(byQueue.get(url) ?? []), entry]);
  });
  if (byQueue.size === 0) return;
  // Loaded on the first failure only: the SQS SDK stays out of the worker's cold start.
  const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
  for (const [QueueUrl, Entries] of byQueue) {
    try {
      const result = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries }));
      if (result.Failed?.length) throw new Error(result.Failed[0]?.Message ?? 'entry failed');
    } catch (error) {
      logger.warn(LOG_MESSAGES.retryScheduleFailed, {
        queueUrl: QueueUrl,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** `retryFailedRecords` with an SQS client created on the first failure, once per container. */
export function createRecordRetrier(logger: Pick<AppLogger, 'warn'>) {
  let sqs: Promise<Pick<SQSClient, 'send'>> | undefined;
  return async (records: readonly SQSRecord[], failures: readonly SQSBatchItemFailure[]) => {
    if (failures.length === 0) return;
    sqs ??= import('./create-sqs-client.js').then((m) =>
      m.createSqsClient({ useQueueUrlAsEndpoint: false }),
    );
    await retryFailedRecords(await sqs, records, failures, logger);
  };
}
