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
  readonly chosen: PinnedPlan | null;
  readonly ref: PlanRef | undefined;
  readonly to: string | null | undefined;
  readonly from: string | null | undefined;
}

/**
 * Answers an admitted call. Without a plan (or with `answer` and no greeting) that is the
 * call's one command, as today; a stream without a greeting rides on the answer itself;
 * anything else continues at `call.answered`.
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
    // A slot is never held by a call we could not answer; the retry acquires afresh.
    await deps.limiter.release(callId, { tenantIdHint: tenantId, markEnded: false });
    throw error;
  }
  if (result === 'call_ended') {
    await deps.limiter.release(callId, { tenantIdHint: tenantId });
    return { kind: 'call_ended' };
  }
  deps.logger.info(LOG_MESSAGES.callAccepted, {
    callControlId: callId,
    tenantId,
    ...(ref && plan ? { revision: ref.revision, onAdmit: plan.onAdmit.type } : {}),
  });
  (deps.metrics ?? noMetrics).accepted();
  return { kind: 'accepted', tenantId };
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
