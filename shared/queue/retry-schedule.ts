import type { SQSRecord } from 'aws-lambda';
import { CALL_SETUP_WINDOW_SECONDS } from '../calls/call-setup-window.js';

/**
 * Seconds before a failed record is offered again, by how often it was received: 1, 2, 4, 8.
 * With the queue's five receives that is about 15 s in all, well inside Telnyx's 60 s
 * `command_id` window, while the caller is still waiting.
 */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(2 ** Math.max(receiveCount - 1, 0), 8);
}

/**
 * The visibility timeout to give a failed record, or `undefined` to leave the queue's own
 * (360 s): once the retry would fall outside the set-up window, a quick retry no longer
 * reaches a waiting caller and Telnyx would no longer ignore a repeated `command_id`.
 */
export function retryVisibility(
  record: Pick<SQSRecord, 'attributes'>,
  nowMs: number,
): number | undefined {
  const sent = Number(record.attributes.SentTimestamp);
  const delay = retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount) || 1);
  if (!Number.isFinite(sent)) return undefined;
  return (nowMs - sent) / 1000 + delay > CALL_SETUP_WINDOW_SECONDS ? undefined : delay;
}

/** A queue's URL from its ARN (`arn:aws:sqs:<region>:<account>:<name>`), as SQS names it. */
export function queueUrlOf(arn: string): string {
  const [, , , region, account, name] = arn.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}
