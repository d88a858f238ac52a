import type { TenantPlan } from '../plans/plan-schema.js';
import type { SpeechOverrides } from '../telnyx/call-control.js';
import type { SpokenMessage } from './client-state.js';
import { CALLER_MESSAGES, DENIALS, type Denial } from './denials.js';

/** What a caller hears before a hangup, and in which voice. */
export interface Utterance extends SpeechOverrides {
  readonly text: string;
}

/**
 * The words for `kind` under `plan`: the tenant's where its plan has them, the contract's
 * otherwise. Unmapped numbers have no tenant and always hear the contract's message; a
 * plan that cannot be found any more (`null`) falls back to the contract's `unavailable`.
 */
export function utteranceFor(kind: SpokenMessage, plan: TenantPlan | null | undefined): Utterance {
  const locale = { voice: plan?.locale?.voice, language: plan?.locale?.language };
  switch (kind) {
    case 'not_configured':
      return { text: CALLER_MESSAGES.not_configured };
    case 'at_capacity':
    case 'unavailable':
      return {
        text: plan?.deny?.messages?.[kind] ?? CALLER_MESSAGES[kind],
        voice: plan?.deny?.voice ?? locale.voice,
        language: plan?.deny?.language ?? locale.language,
      };
    case 'closed':
      return { text: plan?.hours?.closed.say ?? CALLER_MESSAGES.unavailable, ...locale };
    case 'plan_hangup':
      return {
        text: plan?.onAdmit.type === 'hangup' ? plan.onAdmit.say : CALLER_MESSAGES.unavailable,
        ...locale,
      };
  }
}

/** The words after a failed transfer: the plan's `onFailure.say`, if it has one. */
export function transferFailureUtterance(plan: TenantPlan | null): Utterance | undefined {
  if (plan === null) return { text: CALLER_MESSAGES.unavailable };
  if (plan.onAdmit.type !== 'transfer' || !plan.onAdmit.onFailure) return undefined;
  return { text: plan.onAdmit.onFailure.say, ...plan.locale };
}

/** What a refused call is told, as remembered in its `client_state` until it is answered. */
export function spokenMessageOf(denial: Denial): SpokenMessage {
  if (denial === 'outside_hours') return 'closed';
  if (denial === 'plan_hangup') return 'plan_hangup';
  return DENIALS[denial].callerMessage;
}
