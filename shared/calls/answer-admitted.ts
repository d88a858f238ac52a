import type { ReleaseOptions } from '../capacity/limiter.js';
import { CapacityReleaseError, CommandRejectedError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { commandId } from '../telnyx/call-control.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { encodeCallState } from './client-state.js';

/** An admitted call: the tenant it counts against, and whether it already held its slot. */
export interface Admission {
  readonly tenantId: string;
  readonly repeat: boolean;
}

/**
 * Answers an admitted call. Only a definite outcome gives the slot back: Telnyx says the call
 * is gone (90018), or refused the answer (4xx). After a timeout, reset or 5xx Telnyx may have
 * answered, so the slot is kept and the retry's acquire (idempotent) re-answers with the same
 * state. `CallAccepted` counts a slot taken and kept, once per call.
 */
export async function answerAdmitted(
  callId: string,
  { tenantId, repeat }: Admission,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const clientState = encodeCallState({ action: 'accept', tenantId });
  let result: Awaited<ReturnType<CallFlowDeps['callControl']['answer']>>;
  try {
    result = await deps.callControl.answer(callId, {
      clientState,
      commandId: commandId(callId, 'answer'),
    });
  } catch (error) {
    if (error instanceof CommandRejectedError) {
      // Not answered: the retry acquires afresh, so the slot is not held meanwhile.
      await releaseOrThrow(callId, { tenantIdHint: tenantId, markEnded: false }, deps);
    } else if (!repeat) {
      recordAccepted(callId, tenantId, deps); // the slot stays taken: counted as admitted
    }
    throw error;
  }
  if (result === 'call_ended') {
    await releaseOrThrow(callId, { tenantIdHint: tenantId }, deps);
    return { kind: 'call_ended' };
  }
  // A repeat (duplicate delivery, or the retry after a lost reply) was counted the first time.
  if (!repeat) recordAccepted(callId, tenantId, deps);
  return { kind: 'accepted', tenantId };
}

function recordAccepted(callId: string, tenantId: string, deps: CallFlowDeps): void {
  deps.logger.info(LOG_MESSAGES.callAccepted, { callControlId: callId, tenantId });
  (deps.metrics ?? noMetrics).accepted();
}

/** Releases the call's slot; a Redis failure (already logged) fails the message for a retry. */
async function releaseOrThrow(
  callId: string,
  options: ReleaseOptions,
  deps: CallFlowDeps,
): Promise<void> {
  const held = await deps.limiter.release(callId, options);
  if (held === undefined) throw new CapacityReleaseError('capacity release failed');
}
