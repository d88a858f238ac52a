import type { AcquireResult } from '../capacity/limiter.js';
import { CapacityEvaluationError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { maskNumber } from '../logging/logger.js';
import { isOpen } from '../plans/opening-hours.js';
import type { PinnedPlan } from '../plans/plan-loader.js';
import { commandId } from '../telnyx/call-control.js';
import type { TelnyxPayload } from '../telnyx/webhook-event.js';
import { answerAdmitted } from './answer-admitted.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { encodeCallState, type PlanRef } from './client-state.js';
import { DENIALS, type Denial } from './denials.js';
import { spokenMessageOf } from './plan-speech.js';

/**
 * The `call.initiated` step: resolve the tenant and read its plan (one round trip), apply the
 * plan's kill switch and hours (no slot taken), then take a capacity slot (the second round
 * trip) and answer, deny or reject. A plan document never causes a refusal: a missing or
 * broken one means today's behaviour.
 */
export async function admitCall(payload: TelnyxPayload, deps: CallFlowDeps): Promise<CallOutcome> {
  const { call_control_id: callId, to, from } = payload;
  const { tenantId, plan: read } = await deps.resolveTenant(to);
  if (tenantId === null) {
    deps.logger.info(LOG_MESSAGES.callNotConfigured, {
      callControlId: callId,
      to: maskNumber(to),
      from: maskNumber(from),
    });
    return deny(callId, 'not_configured', undefined, deps);
  }
  const chosen = deps.plans.choose(tenantId, read);
  const ref = chosen ? planRef(tenantId, chosen) : undefined;
  const plan = chosen?.plan;
  if (plan?.onAdmit.type === 'hangup') return deny(callId, 'plan_hangup', ref, deps);
  if (plan?.hours && !isOpen(plan.hours, (deps.now ?? (() => new Date()))()))
    return deny(callId, 'outside_hours', ref, deps);
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
    return turnAway(callId, 'capacity_check_failed', chosen, ref, deps);
  }
  if (!acquired.admitted) {
    if (acquired.reason === 'call_ended') return { kind: 'call_ended' };
    return turnAway(callId, acquired.reason, chosen, ref, deps);
  }
  return answerAdmitted({ callId, tenantId, chosen, ref, to, from }, deps);
}

const planRef = (tenantId: string, chosen: PinnedPlan): PlanRef => ({
  tenantId,
  revision: chosen.plan.revision,
  digest: chosen.digest,
});

/** A refusal where the tenant is known: its plan may ask for Telnyx `reject` (busy) instead. */
async function turnAway(
  callId: string,
  denial: Denial,
  chosen: PinnedPlan | null,
  ref: PlanRef | undefined,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  if (chosen?.plan.deny?.mode !== 'reject') return deny(callId, denial, ref, deps);
  // Busy without answering: nothing to speak, so one command and no later steps.
  await deps.callControl.reject(callId, { commandId: commandId(callId, 'reject') });
  logDenied(callId, denial, ref, deps, 'reject');
  return { kind: 'denied', denial };
}

/** Denial starts by answering: Telnyx refuses `speak` on an unanswered call (422 90034). */
async function deny(
  callId: string,
  denial: Denial,
  ref: PlanRef | undefined,
  deps: CallFlowDeps,
): Promise<CallOutcome> {
  const clientState = encodeCallState({
    action: 'deny',
    message: spokenMessageOf(denial),
    plan: ref,
  });
  await deps.callControl.answer(callId, { clientState, commandId: commandId(callId, 'answer') });
  logDenied(callId, denial, ref, deps, 'speak');
  return { kind: 'denied', denial };
}

function logDenied(
  callId: string,
  denial: Denial,
  ref: PlanRef | undefined,
  deps: CallFlowDeps,
  mode: 'speak' | 'reject',
): void {
  deps.logger.info(LOG_MESSAGES.callDenied, {
    callControlId: callId,
    reason: DENIALS[denial].metricReason,
    ...(ref ? { tenantId: ref.tenantId, revision: ref.revision, mode } : {}),
  });
  (deps.metrics ?? noMetrics).denied(denial);
}
