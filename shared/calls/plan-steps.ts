import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { TenantPlan } from '../plans/plan-schema.js';
import { type CommandResult, commandId } from '../telnyx/call-control.js';
import { streamOf } from './answer-admitted.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { type CallState, encodeCallState, type PlanRef } from './client-state.js';
import { transferFailureUtterance } from './plan-speech.js';

type Accepted = Extract<CallState, { action: 'accept' }>;

/** Why a transfer's new leg ended without it being a failure: it was answered, or the caller left. */
const NOT_A_FAILURE = new Set(['normal_clearing', 'originator_cancel']);
const DEFAULT_TRANSFER_TIMEOUT_SECS = 30;

/** `call.answered` of an admitted call whose plan goes on: the greeting, or straight to the action. */
export async function continueAfterAnswer(
  callId: string,
  state: Accepted,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const plan = await pinnedPlan(state.plan, deps);
  // The pinned plan is gone (evicted): the call stays answered, today's behaviour.
  if (!plan || !state.plan) return { kind: 'ignored', why: 'pinned plan unavailable' };
  const greeting = plan.greeting;
  if (!greeting) return runAction(callId, state, plan, deps);
  const clientState = encodeCallState({ ...state, step: 'greeting' });
  const id = commandId(callId, 'greeting');
  const result =
    'text' in greeting
      ? await deps.callControl.speak(callId, {
          text: greeting.text,
          clientState,
          commandId: id,
          ...plan.locale,
        })
      : await deps.callControl.playAudio(callId, {
          audioUrl: greeting.audioUrl,
          clientState,
          commandId: id,
        });
  return logStep(callId, state.plan, 'greeting', result, deps);
}

/** The greeting ended (played out, or its audio failed: the caller is not left waiting). */
export async function continueAfterGreeting(
  callId: string,
  state: Accepted,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const plan = await pinnedPlan(state.plan, deps);
  if (!plan || !state.plan) return { kind: 'ignored', why: 'pinned plan unavailable' };
  return runAction(callId, state, plan, deps);
}

async function runAction(
  callId: string,
  state: Accepted,
  plan: TenantPlan,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const action = plan.onAdmit;
  const id = commandId(callId, action.type);
  const toTheEnd = { clientState: encodeCallState({ ...state, step: 'done' }), commandId: id };
  let result: CommandResult;
  switch (action.type) {
    case 'stream':
      result = await deps.callControl.startStreaming(callId, {
        ...(streamOf(plan) as NonNullable<ReturnType<typeof streamOf>>),
        ...toTheEnd,
      });
      break;
    case 'ai_assistant':
      result = await deps.callControl.startAiAssistant(callId, {
        assistantId: action.assistantId,
        dynamicVariables: action.dynamicVariables,
        ...toTheEnd,
      });
      break;
    case 'transfer':
      result = await deps.callControl.transfer(callId, {
        to: action.to,
        from: state.callerId,
        timeoutSecs: action.timeoutSecs ?? DEFAULT_TRANSFER_TIMEOUT_SECS,
        clientState: encodeCallState({ ...state, step: 'transfer' }),
        targetLegClientState: encodeCallState({
          action: 'transfer_leg',
          parent: callId,
          plan: state.plan as PlanRef,
        }),
        commandId: id,
      });
      break;
    default:
      // `answer` after its greeting: nothing more to do, the call is the tenant's.
      return { kind: 'plan_step', step: 'answered' };
  }
  return logStep(callId, state.plan as PlanRef, action.type, result, deps);
}

/**
 * The new leg of a transfer hung up. Unless it was answered (or the caller gave up), the
 * transfer failed: the caller hears `onFailure.say` and is hung up, or is hung up at once.
 */
export async function transferLegEnded(
  state: Extract<CallState, { action: 'transfer_leg' }>,
  hangupCause: string | null | undefined,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  if (NOT_A_FAILURE.has(hangupCause ?? 'normal_clearing'))
    return { kind: 'ignored', why: `transfer leg ended: ${hangupCause ?? 'normal_clearing'}` };
  const { parent, plan: ref } = state;
  const plan = await pinnedPlan(ref, deps);
  const words = transferFailureUtterance(plan);
  deps.logger.info(LOG_MESSAGES.callPlanStep, {
    callControlId: parent,
    tenantId: ref.tenantId,
    revision: ref.revision,
    step: 'transfer_failed',
    hangupCause,
  });
  if (!words) {
    await deps.callControl.hangup(parent, { commandId: commandId(parent, 'hangup') });
    return { kind: 'hung_up' };
  }
  const result = await deps.callControl.speak(parent, {
    ...words,
    clientState: encodeCallState({
      action: 'accept',
      tenantId: ref.tenantId,
      plan: ref,
      step: 'transfer_failed',
    }),
    commandId: commandId(parent, 'transfer_failed'),
  });
  return { kind: result === 'sent' ? 'spoke' : 'call_ended' };
}

/** The plan pinned at `call.initiated`, or `null` (logged by the loader) when it is gone. */
export async function pinnedPlan(
  ref: PlanRef | undefined,
  deps: CallFlowDeps,
): Promise<TenantPlan | null> {
  return ref ? deps.plans.pinned(ref.tenantId, ref.digest) : null;
}

function logStep(
  callId: string,
  ref: PlanRef,
  step: string,
  result: CommandResult,
  deps: CallFlowDeps,
): CallOutcome {
  if (result === 'call_ended') return { kind: 'call_ended' };
  deps.logger.info(LOG_MESSAGES.callPlanStep, {
    callControlId: callId,
    tenantId: ref.tenantId,
    revision: ref.revision,
    step,
  });
  return { kind: 'plan_step', step };
}
