import type { CapacityLimiter } from '../capacity/limiter.js';
import { CapacityEvaluationError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { type AppLogger, maskNumber } from '../logging/logger.js';
import { type CallControl, commandId } from '../telnyx/call-control.js';
import type { TelnyxEvent } from '../telnyx/webhook-event.js';
import { type CallMetrics, type DenialMetricReason, noMetrics } from './call-metrics.js';
import { CALLER_MESSAGES, type DenialKind } from './caller-messages.js';
import { decodeCallState, encodeCallState } from './client-state.js';

/** Everything the call flow needs, passed in so tests use real or fake objects freely. */
export interface CallFlowDeps {
  readonly resolveTenant: (toNumber: string | null | undefined) => Promise<string | null>;
  readonly limiter: CapacityLimiter;
  readonly callControl: CallControl;
  readonly logger: AppLogger;
  readonly metrics?: CallMetrics;
}

/** What the worker did with one event (for logs and tests; failures throw instead). */
export type CallOutcome =
  | { readonly kind: 'accepted'; readonly tenantId: string }
  | { readonly kind: 'denied'; readonly denial: DenialKind }
  | { readonly kind: 'spoke' | 'hung_up' | 'call_ended' }
  | { readonly kind: 'released'; readonly held: boolean | undefined }
  | { readonly kind: 'ignored'; readonly why: string };

/**
 * Drives one call one step, decided only from the event and its `client_state`, because
 * Telnyx may deliver webhooks twice, late or out of order. Throws when a Telnyx command
 * fails for good, so the queue retries the message (with the same command ids).
 */
export async function handleCallEvent(
  event: TelnyxEvent,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const { event_type: type, payload } = event.data;
  const state = decodeCallState(payload.client_state);
  switch (type) {
    case 'call.initiated':
      if (payload.direction !== 'incoming') return { kind: 'ignored', why: 'not an incoming call' };
      return admitCall(event, deps);
    case 'call.answered':
      if (state?.action !== 'deny') return { kind: 'ignored', why: 'not a denied call of ours' };
      return speakDenial(
        payload.call_control_id,
        state.denial,
        payload.client_state as string,
        deps,
      );
    case 'call.speak.ended':
      if (state?.action !== 'deny') return { kind: 'ignored', why: 'not a denied call of ours' };
      // `call_hangup` means the caller left mid-message: the call is already over.
      if (payload.status !== 'completed')
        return { kind: 'ignored', why: `speak ${payload.status}` };
      await deps.callControl.hangup(payload.call_control_id, {
        commandId: commandId(payload.call_control_id, 'hangup'),
      });
      return { kind: 'hung_up' };
    case 'call.hangup': {
      const hint = state?.action === 'accept' ? state.tenantId : undefined;
      const held = await deps.limiter.release(payload.call_control_id, { tenantIdHint: hint });
      // `undefined`: Redis failed and the limiter logged it; teardown goes on regardless.
      if (held !== undefined)
        deps.logger.info(LOG_MESSAGES.callReleased, {
          callControlId: payload.call_control_id,
          held,
        });
      return { kind: 'released', held };
    }
    default:
      return { kind: 'ignored', why: `event ${type}` };
  }
}

async function admitCall(event: TelnyxEvent, deps: CallFlowDeps): Promise<CallOutcome> {
  const { call_control_id: callId, to, from } = event.data.payload;
  const tenantId = await deps.resolveTenant(to);
  if (tenantId === null) {
    deps.logger.info(LOG_MESSAGES.callNotConfigured, {
      callControlId: callId,
      to: maskNumber(to),
      from: maskNumber(from),
    });
    return deny(callId, 'not_configured', 'not_configured', deps);
  }
  let acquired: Awaited<ReturnType<CapacityLimiter['tryAcquire']>>;
  try {
    acquired = await deps.limiter.tryAcquire(callId, tenantId);
  } catch (error) {
    if (!(error instanceof CapacityEvaluationError)) throw error;
    deps.logger.error(LOG_MESSAGES.capacityCheckFailed, {
      callControlId: callId,
      tenantId,
      error: error.message,
    });
    return deny(callId, 'unavailable', 'capacity_check_failed', deps);
  }
  if (!acquired.admitted) {
    if (acquired.reason === 'call_ended') return { kind: 'call_ended' };
    return deny(callId, 'at_capacity', acquired.reason, deps);
  }
  return answerAdmitted(callId, tenantId, deps);
}

async function answerAdmitted(
  callId: string,
  tenantId: string,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const clientState = encodeCallState({ action: 'accept', tenantId });
  let result: Awaited<ReturnType<CallControl['answer']>>;
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
async function deny(
  callId: string,
  denial: DenialKind,
  reason: DenialMetricReason,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const clientState = encodeCallState({ action: 'deny', denial });
  await deps.callControl.answer(callId, { clientState, commandId: commandId(callId, 'answer') });
  deps.logger.info(LOG_MESSAGES.callDenied, { callControlId: callId, reason });
  (deps.metrics ?? noMetrics).denied(reason);
  return { kind: 'denied', denial };
}

async function speakDenial(
  callId: string,
  denial: DenialKind,
  clientState: string,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const result = await deps.callControl.speak(callId, {
    text: CALLER_MESSAGES[denial],
    clientState,
    commandId: commandId(callId, 'speak'),
  });
  return { kind: result === 'sent' ? 'spoke' : 'call_ended' };
}
