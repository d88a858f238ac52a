import { CapacityReleaseError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { commandId } from '../telnyx/call-control.js';
import {
  TELNYX_EVENT_TYPES,
  type TelnyxEvent,
  type TelnyxPayload,
} from '../telnyx/webhook-event.js';
import { admitCall } from './admit-call.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { type CallState, decodeCallState } from './client-state.js';
import { utteranceFor } from './plan-speech.js';
import {
  continueAfterAnswer,
  continueAfterGreeting,
  pinnedPlan,
  transferLegEnded,
} from './plan-steps.js';

/** One step of the call flow: what the worker does with one event type. */
type CallStep = (
  payload: TelnyxPayload,
  state: CallState | null,
  deps: CallFlowDeps,
  occurredAt: string | null | undefined,
) => Promise<CallOutcome>;

/** `call.initiated`: an incoming call is admitted or refused; outgoing legs are not ours. */
const initiated: CallStep = async (payload, _state, deps, occurredAt) =>
  payload.direction === 'incoming'
    ? admitCall(payload, occurredAt, deps)
    : { kind: 'ignored', why: 'not an incoming call' };

/**
 * `call.answered`: a refused call now hears why; an admitted call whose plan goes on gets its
 * greeting or its action (a call answered as today needs nothing more).
 */
const answered: CallStep = async (payload, state, deps) => {
  const callId = payload.call_control_id;
  if (state?.action === 'accept' && state.step === 'answered')
    return continueAfterAnswer(callId, state, deps);
  if (state?.action !== 'deny') return { kind: 'ignored', why: 'no step of ours follows' };
  const plan = await pinnedPlan(state.plan, deps);
  const result = await deps.callControl.speak(callId, {
    ...utteranceFor(state.message, plan),
    clientState: payload.client_state as string,
    commandId: commandId(callId, 'speak'),
  });
  return { kind: result === 'sent' ? 'spoke' : 'call_ended' };
};

/**
 * `call.speak.ended` and `call.playback.ended`: a greeting leads to the plan's action (even
 * when its audio failed: the caller is not left waiting); last words lead to the hangup.
 */
const mediaEnded: CallStep = async (payload, state, deps) => {
  const callId = payload.call_control_id;
  // `call_hangup` means the caller left mid-message: the call is already over.
  if (payload.status === 'call_hangup') return { kind: 'ignored', why: 'media call_hangup' };
  if (state?.action === 'accept' && state.step === 'greeting')
    return continueAfterGreeting(callId, state, deps);
  const lastWords =
    state?.action === 'deny' || (state?.action === 'accept' && state.step === 'transfer_failed');
  if (!lastWords) return { kind: 'ignored', why: 'no step of ours follows' };
  if (payload.status !== 'completed') return { kind: 'ignored', why: `media ${payload.status}` };
  await deps.callControl.hangup(callId, { commandId: commandId(callId, 'hangup') });
  return { kind: 'hung_up' };
};

/**
 * `call.hangup`: give back the call's slot, wherever it is held. A transfer's new leg holds
 * none; its end may instead mean the transfer failed.
 */
const hungUp: CallStep = async (payload, state, deps) => {
  if (state?.action === 'transfer_leg') return transferLegEnded(state, payload.hangup_cause, deps);
  const callControlId = payload.call_control_id;
  const tenantIdHint = state?.action === 'accept' ? state.tenantId : undefined;
  const held = await deps.limiter.release(callControlId, { tenantIdHint });
  // Redis failed (the limiter logged `capacity release failed`): the call is over either way,
  // so fail the message and let SQS retry it; release is idempotent, nothing queues behind.
  if (held === undefined) throw new CapacityReleaseError('capacity release failed');
  deps.logger.info(LOG_MESSAGES.callReleased, { callControlId, held });
  return { kind: 'released', held };
};

/** The step for each event type the system acts on; every other type is ignored. */
const CALL_STEPS: Readonly<Record<string, CallStep>> = {
  [TELNYX_EVENT_TYPES.callInitiated]: initiated,
  [TELNYX_EVENT_TYPES.callAnswered]: answered,
  [TELNYX_EVENT_TYPES.callSpeakEnded]: mediaEnded,
  [TELNYX_EVENT_TYPES.callPlaybackEnded]: mediaEnded,
  [TELNYX_EVENT_TYPES.callHangup]: hungUp,
};

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
  const step = Object.hasOwn(CALL_STEPS, type) ? CALL_STEPS[type] : undefined;
  if (!step) return { kind: 'ignored', why: `event ${type}` };
  return step(payload, decodeCallState(payload.client_state), deps, event.data.occurred_at);
}
