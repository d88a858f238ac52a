import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TelnyxEvent } from '../telnyx/webhook-event.js';

/** The one SQS operation ingest needs; a real `SQSClient` or a test double satisfies it. */
export type SqsSender = Pick<SQSClient, 'send'>;

/**
 * Sends one webhook to the FIFO queue: the body is the webhook text as received, characters
 * SQS refuses escaped (the worker parses the same JSON value Telnyx signed), the call's events share a group so they are handled in order, and the
 * Telnyx event id deduplicates re-deliveries. Throws whatever the SDK throws.
 */
export async function enqueueWebhook(
  sqs: SqsSender,
  queueUrl: string,
  body: string,
  event: TelnyxEvent,
): Promise<{ readonly messageId: string | undefined }> {
  const output = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: event.data.payload.call_control_id,
      MessageDeduplicationId: event.data.id,
    }),
  );
  return { messageId: output.MessageId };
}
