import type { SQSRecord } from 'aws-lambda';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import { parseTelnyxEvent } from '../telnyx/webhook-event.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { handleCallEvent } from './handle-call-event.js';
import { reportStepFailure } from './report-step-failure.js';

/** The parts of an SQS record the worker reads. */
export type QueueRecord = Pick<SQSRecord, 'body' | 'messageId'> & {
  readonly attributes?: Partial<Pick<SQSRecord['attributes'], 'ApproximateReceiveCount'>>;
};

/**
 * Handles one queue message. A body that is not a Telnyx event can never succeed, so it is
 * logged and dropped (acknowledged) instead of blocking its message group; a failing call
 * step is logged once, counted, and rethrown to be reported as a batch item failure.
 */
export async function processQueueRecord(
  record: QueueRecord,
  deps: CallFlowDeps & { readonly logger: AppLogger },
): Promise<CallOutcome | { kind: 'dropped' }> {
  const parsed = parseTelnyxEvent(record.body);
  if (!parsed.ok) {
    deps.logger.warn(LOG_MESSAGES.droppedMalformedMessage, {
      messageId: record.messageId,
      error: parsed.error,
    });
    return { kind: 'dropped' };
  }
  const { event_type, id, payload } = parsed.event.data;
  deps.logger.debug(LOG_MESSAGES.processingEvent, {
    eventType: event_type,
    eventId: id,
    callControlId: payload.call_control_id,
  });
  try {
    return await handleCallEvent(parsed.event, deps);
  } catch (error) {
    const count = Number(record.attributes?.ApproximateReceiveCount);
    reportStepFailure(error, parsed.event, { receiveCount: count || undefined }, deps);
    throw error;
  }
}
