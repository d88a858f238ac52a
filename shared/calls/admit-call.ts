import type { AcquireResult } from '../capacity/limiter.js';
import { CapacityEvaluationError, TenantResolveError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import { maskNumber } from '../logging/logger.js';
import { isOpen } from '../plans/opening-hours.js';
import type { PinnedPlan } from '../plans/plan-loader.js';
import { commandId } from '../telnyx/call-control.js';
import type { TelnyxPayload } from '../telnyx/webhook-event.js';
import { answerAdmitted } from './answer-admitted.js';
import type { CallFlowDeps, CallOutcome } from './call-flow.js';
import { noMetrics } from './call-metrics.js';
import { setupExpiry } from './call-setup-window.js';
import { encodeCallState, type PlanRef } from './client-state.js';
import { DENIALS, type Denial } from './denials.js';
import { spokenMessageOf } from './plan-speech.js';

/**
 * The `call.initiated` step: resolve the tenant and read its plan (one round trip), apply the
 * plan's kill switch and hours (no slot taken), then take a capacity slot (the second round
 * trip) and answer, deny or reject. A plan document never causes a refusal: a missing or
 * broken one means today's behaviour. A set-up too old to reach a waiting caller does nothing.
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
  let resolved: Awaited<ReturnType<CallFlowDeps['resolveTenant']>>;
  try {
    resolved = await deps.resolveTenant(to);
  } catch (error) {
    if (!(error instanceof TenantResolveError)) throw error;
    // The caller hears what the contract says; operators see Redis, not a missing number.
    return deny(callId, 'tenant_resolve_failed', undefined, deps);
  }
  const { tenantId, plan: read } = resolved;
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
  // A call admitted earlier for another tenant (its number remapped since) stays with that
  // tenant, under today's behaviour: this plan is not its tenant's.
  const own = acquired.tenantId === tenantId;
  return answerAdmitted(
    {
      callId,
      tenantId: acquired.tenantId,
      repeat: acquired.repeat,
      chosen: own ? chosen : null,
      ref: own ? ref : undefined,
      to,
      from,
    },
    deps,
  );
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
  const rejected = await deps.callControl.reject(callId, {
    commandId: commandId(callId, 'reject'),
  });
  if (rejected === 'call_ended') return { kind: 'call_ended' };
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
  const answered = await deps.callControl.answer(callId, {
    clientState,
    commandId: commandId(callId, 'answer'),
  });
  // The caller left before hearing anything: nothing was denied to anyone.
  if (answered === 'call_ended') return { kind: 'call_ended' };
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
