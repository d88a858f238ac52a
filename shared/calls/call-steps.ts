/**
 * The steps of a call's flow, one per event type the worker acts on: the `Step` dimension of
 * `CallStepFailed`, so an operator sees whether admissions, denials or releases are failing.
 */
export const CALL_STEPS = {
  'call.initiated': 'admit',
  'call.answered': 'speak_denial',
  'call.speak.ended': 'hang_up_denied',
  'call.hangup': 'release',
} as const;

/** One of `CALL_STEPS`' values, or `other` for an event type the flow does not act on. */
export type CallStep = (typeof CALL_STEPS)[keyof typeof CALL_STEPS] | 'other';

/** Every step name, in flow order (the alarm sums them all). */
export const CALL_STEP_NAMES: readonly CallStep[] = [...Object.values(CALL_STEPS), 'other'];

/** The step an event drives. */
export function callStepOf(eventType: string): CallStep {
  return Object.hasOwn(CALL_STEPS, eventType)
    ? CALL_STEPS[eventType as keyof typeof CALL_STEPS]
    : 'other';
}
