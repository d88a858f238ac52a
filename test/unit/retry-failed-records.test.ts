import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsRecord } from '../../local/lambda-events.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { retryFailedRecords } from '../../shared/queue/retry-failed-records.js';
import { RecordingLogger } from '../support/recording-logger.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

/** A record first sent `ageSeconds` ago and received `receiveCount` times. */
function failedRecord(ageSeconds: number, receiveCount: number) {
  const record = sqsRecord(telnyxEvent('call.initiated'), { receiveCount });
  record.attributes.SentTimestamp = String(NOW - ageSeconds * 1000);
  return record;
}

describe('retryFailedRecords', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  it('backs off 1, 2, 4, 8 s by receive count, on the queue named by the record ARN', async () => {
    const records = [1, 2, 3, 4, 5].map((count) => failedRecord(5, count));
    const failures = records.map((r) => ({ itemIdentifier: r.messageId }));

    await retryFailedRecords(new SQSClient({}), records, failures, new RecordingLogger(), NOW);

    const [call] = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(call?.args[0].input.QueueUrl).toBe(
      'https://sqs.us-east-1.amazonaws.com/123456789012/call-events.fifo',
    );
    expect(call?.args[0].input.Entries?.map((e) => e.VisibilityTimeout)).toEqual([1, 2, 4, 8, 8]);
  });

  it("leaves records past Telnyx's 60 s command_id window and succeeded records alone", async () => {
    const stale = failedRecord(58, 3); // 58 s + 4 s back-off: past the window
    const succeeded = failedRecord(1, 1);
    const fresh = failedRecord(1, 1);
    const failures = [stale, fresh].map((r) => ({ itemIdentifier: r.messageId }));

    await retryFailedRecords(
      new SQSClient({}),
      [stale, succeeded, fresh],
      failures,
      new RecordingLogger(),
      NOW,
    );

    const [call] = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(call?.args[0].input.Entries).toEqual([
      { Id: '2', ReceiptHandle: fresh.receiptHandle, VisibilityTimeout: 1 },
    ]);
  });

  it('logs and returns when SQS refuses, leaving the record to the queue timeout', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('AccessDenied'));
    const logger = new RecordingLogger();
    const record = failedRecord(1, 1);

    await retryFailedRecords(
      new SQSClient({}),
      [record],
      [{ itemIdentifier: record.messageId }],
      logger,
      NOW,
    );

    expect(logger.entries).toEqual([
      expect.objectContaining({ level: 'warn', message: 'retry schedule failed' }),
    ]);
  });
});
