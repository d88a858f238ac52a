import type { AcquireResult } from '../capacity/limiter.js';
import { CapacityEvaluationError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { maskNumber } from '../logging/logger.js';
import { commandId } from '../telnyx/call-control.js';
import type { TelnyxPayload } from '../telnyx/webhook-event.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { encodeCallState } from './client-state.js';
import { DENIALS, type Denial } from './denials.js';

/**
 * The `call.initiated` step: resolve the tenant, take a capacity slot, then answer as
 * admitted or answer to tell the caller why not.
 */
export async function admitCall(payload: TelnyxPayload, deps: CallFlowDeps): Promise<CallOutcome> {
  const { call_control_id: callId, to, from } = payload;
  const tenantId = await deps.resolveTenant(to);
  if (tenantId === null) {
    deps.logger.info(LOG_MESSAGES.callNotConfigured, {
      callControlId: callId,
      to: maskNumber(to),
      from: maskNumber(from),
    });
    return deny(callId, 'not_configured', deps);
  }
  let acquired: AcquireResult;
  try {
    acquired = await deps.limiter.tryAcquire(callId, tenantId);
  } catch (error) {
    if (!(error instanceof CapacityEvaluationError)) throw error;
    deps.logger.error(LOG_MESSAGES.capacityCheckFailed, {
      callControlId: callId,
      tenantId,
      error: error.message,
    });
    return deny(callId, 'capacity_check_failed', deps);
  }
  if (!acquired.admitted) {
    if (acquired.reason === 'call_ended') return { kind: 'call_ended' };
    return deny(callId, acquired.reason, deps);
  }
  return answerAdmitted(callId, tenantId, deps);
}

async function answerAdmitted(
  callId: string,
  tenantId: string,
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
    // A slot is never held by a call we could not answer; the retry acquires afresh.
    await deps.limiter.release(callId, { tenantIdHint: tenantId, markEnded: false });
    throw error;
  }
  if (result === 'call_ended') {
    await deps.limiter.release(callId, { tenantIdHint: tenantId });
    return { kind: 'call_ended' };
  }
  deps.logger.info(LOG_MESSAGES.callAccepted, { callControlId: callId, tenantId });
  (deps.metrics ?? noMetrics).accepted();
  return { kind: 'accepted', tenantId };
}

/** Denial starts by answering: Telnyx refuses `speak` on an unanswered call (422 90034). */
async function deny(callId: string, denial: Denial, deps: CallFlowDeps): Promise<CallOutcome> {
  const clientState = encodeCallState({ action: 'deny', message: DENIALS[denial].callerMessage });
  await deps.callControl.answer(callId, { clientState, commandId: commandId(callId, 'answer') });
  deps.logger.info(LOG_MESSAGES.callDenied, {
    callControlId: callId,
    reason: DENIALS[denial].metricReason,
  });
  (deps.metrics ?? noMetrics).denied(denial);
  return { kind: 'denied', denial };
}
