import { TelnyxCommandError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import type { TelnyxEvent } from '../telnyx/webhook-event.js';
import { type CallMetrics, noMetrics } from './call-metrics.js';
import { callStepOf } from './call-steps.js';

/** What is known about the failed record besides its event. */
export interface FailedRecord {
  /** SQS `ApproximateReceiveCount`: 1 on the first try; the DLQ takes it after the fifth. */
  readonly receiveCount: number | undefined;
}

/**
 * Writes the one error line and the `CallStepFailed` count for a record that goes back to
 * the queue. The line names the call and the event, never a phone number or a key: a Telnyx
 * failure is described by its HTTP status and Telnyx error code only.
 */
export function reportStepFailure(
  error: unknown,
  event: TelnyxEvent,
  record: FailedRecord,
  deps: { readonly logger: AppLogger; readonly metrics?: CallMetrics | undefined },
): void {
  const { event_type: eventType, id: eventId, payload } = event.data;
  const step = callStepOf(eventType);
  deps.logger.error(LOG_MESSAGES.callStepFailed, {
    callControlId: payload.call_control_id,
    eventType,
    eventId,
    receiveCount: record.receiveCount,
    step,
    ...describe(error),
  });
  (deps.metrics ?? noMetrics).stepFailed(step);
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof TelnyxCommandError) {
    return {
      errorName: error.name,
      command: error.command,
      httpStatus: error.status,
      telnyxErrorCode: error.code,
    };
  }
  if (error instanceof Error) return { errorName: error.name, error: error.message };
  return { error: String(error) };
}
