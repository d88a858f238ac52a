import type { AcquireResult } from '../capacity/limiter.js';
import { CapacityEvaluationError, TenantResolveError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { maskNumber } from '../logging/logger.js';
import { commandId } from '../telnyx/call-control.js';
import type { TelnyxPayload } from '../telnyx/webhook-event.js';
import { answerAdmitted } from './answer-admitted.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { setupExpiry } from './call-setup-window.js';
import { encodeCallState } from './client-state.js';
import { DENIALS, type Denial } from './denials.js';

/**
 * The `call.initiated` step: resolve the tenant, take a capacity slot, then answer as
 * admitted or answer to tell the caller why not. A set-up too old to reach a waiting
 * caller (`occurredAt` past the set-up window) does nothing.
 */
export async function admitCall(
  payload: TelnyxPayload,
  occurredAt: string | null | undefined,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const { call_control_id: callId, to, from } = payload;
  const expired = setupExpiry(occurredAt, (deps.now ?? (() => new Date()))());
  if (expired) {
    // Nobody is left to hear an answer (e.g. a redelivery past the FIFO dedup window).
    deps.logger.warn(LOG_MESSAGES.callSetupExpired, { callControlId: callId, ...expired });
    return { kind: 'ignored', why: 'call setup expired' };
  }
  let tenantId: string | null;
  try {
    tenantId = await deps.resolveTenant(to);
  } catch (error) {
    if (!(error instanceof TenantResolveError)) throw error;
    // The caller hears what the contract says; operators see Redis, not a missing number.
    return deny(callId, 'tenant_resolve_failed', deps);
  }
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
  return answerAdmitted(callId, acquired, deps);
}

/** Denial starts by answering: Telnyx refuses `speak` on an unanswered call (422 90034). */
async function deny(callId: string, denial: Denial, deps: CallFlowDeps): Promise<CallOutcome> {
  const clientState = encodeCallState({ action: 'deny', message: DENIALS[denial].callerMessage });
  const answered = await deps.callControl.answer(callId, {
    clientState,
    commandId: commandId(callId, 'answer'),
  });
  // The caller left before hearing anything: nothing was denied to anyone.
  if (answered === 'call_ended') return { kind: 'call_ended' };
  deps.logger.info(LOG_MESSAGES.callDenied, {
    callControlId: callId,
    reason: DENIALS[denial].metricReason,
  });
  (deps.metrics ?? noMetrics).denied(denial);
  return { kind: 'denied', denial };
}
