import type { ReleaseOptions } from '../capacity/limiter.js';
import { CapacityReleaseError, CommandRejectedError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { PinnedPlan } from '../plans/plan-loader.js';
import type { TenantPlan } from '../plans/plan-schema.js';
import { type CallControl, commandId, type StreamTarget } from '../telnyx/call-control.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { type AcceptStep, encodeCallState, type PlanRef } from './client-state.js';

/** An admitted call and what its plan needs to answer it. */
export interface AdmittedCall {
  readonly callId: string;
  readonly tenantId: string;
  /** The call already held its slot (a duplicate, or the retry after a lost reply). */
  readonly repeat: boolean;
  readonly chosen: PinnedPlan | null;
  readonly ref: PlanRef | undefined;
  readonly to: string | null | undefined;
  readonly from: string | null | undefined;
}

/**
 * Answers an admitted call. Without a plan (or with `answer` and no greeting) that is the
 * call's one command, as today; a stream without a greeting rides on the answer itself;
 * anything else continues at `call.answered`. Only a definite outcome gives the slot back
 * (90018, or a 4xx refusal): after a timeout, reset or 5xx Telnyx may have answered, so the
 * slot is kept and the retry's idempotent acquire re-answers. `CallAccepted` counts once.
 */
export async function answerAdmitted(call: AdmittedCall, deps: CallFlowDeps): Promise<CallOutcome> {
  const { callId, tenantId, ref } = call;
  const plan = call.chosen?.plan;
  const stream = plan && !plan.greeting ? streamOf(plan) : undefined;
  const step: AcceptStep | undefined =
    !plan || stream || (plan.onAdmit.type === 'answer' && !plan.greeting) ? undefined : 'answered';
  const clientState = encodeCallState({
    action: 'accept',
    tenantId,
    plan: ref,
    step: stream ? 'done' : step,
    callerId: plan ? transferCallerId(plan, call) : undefined,
  });
  let result: Awaited<ReturnType<CallControl['answer']>>;
  try {
    result = await deps.callControl.answer(callId, {
      clientState,
      commandId: commandId(callId, 'answer'),
      stream,
    });
  } catch (error) {
    if (error instanceof CommandRejectedError) {
      // Not answered: the retry acquires afresh, so the slot is not held meanwhile.
      await releaseOrThrow(callId, { tenantIdHint: tenantId, markEnded: false }, deps);
    } else if (!call.repeat) {
      recordAccepted(call, deps); // the slot stays taken: counted as admitted
    }
    throw error;
  }
  if (result === 'call_ended') {
    await releaseOrThrow(callId, { tenantIdHint: tenantId }, deps);
    return { kind: 'call_ended' };
  }
  // A repeat (duplicate delivery, or the retry after a lost reply) was counted the first time.
  if (!call.repeat) recordAccepted(call, deps);
  return { kind: 'accepted', tenantId };
}

function recordAccepted(call: AdmittedCall, deps: CallFlowDeps): void {
  const plan = call.chosen?.plan;
  deps.logger.info(LOG_MESSAGES.callAccepted, {
    callControlId: call.callId,
    tenantId: call.tenantId,
    ...(call.ref && plan ? { revision: call.ref.revision, onAdmit: plan.onAdmit.type } : {}),
  });
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

/** The stream a plan asks for, when its action is `stream`. */
export function streamOf(plan: TenantPlan): StreamTarget | undefined {
  if (plan.onAdmit.type !== 'stream') return undefined;
  return { url: plan.onAdmit.url, track: plan.onAdmit.track ?? 'inbound_track' };
}

/** The caller id a transfer shows, from the call's own numbers; unset: Telnyx shows the caller. */
function transferCallerId(plan: TenantPlan, call: AdmittedCall): string | undefined {
  if (plan.onAdmit.type !== 'transfer') return undefined;
  const { callerId } = plan.onAdmit;
  if (callerId === 'did') return call.to ?? undefined;
  if (callerId === undefined || callerId === 'caller') return undefined;
  return callerId;
}
