/**
 * The contract's caller messages, word for word. The keys travel in `client_state`
 * (`denial` field) between answering a denied call and speaking to it, so they never change.
 */
export const CALLER_MESSAGES = {
  not_configured: 'The number you dialed is not configured.',
  at_capacity: 'We are currently at capacity. Please try again later.',
  unavailable: 'We are unable to accept your call right now.',
} as const;

/** Which caller message a denied call hears, as remembered in its `client_state`. */
export type CallerMessageId = keyof typeof CALLER_MESSAGES;

/**
 * Every reason a call is refused, with the `Reason` dimension of its `CallDenied` metric (also
 * the `reason` of its log line) and the message the caller hears.
 */
export const DENIALS = {
  not_configured: { metricReason: 'not_configured', callerMessage: 'not_configured' },
  // Redis failed while resolving the tenant: the contract's caller message for an unmapped
  // number, but operators see an outage, not missing DIDs.
  tenant_resolve_failed: {
    metricReason: 'tenant_resolve_failed',
    callerMessage: 'not_configured',
  },
  global_at_capacity: { metricReason: 'global_at_capacity', callerMessage: 'at_capacity' },
  tenant_at_capacity: { metricReason: 'tenant_at_capacity', callerMessage: 'at_capacity' },
  tenant_rate_limited: { metricReason: 'tenant_rate_limited', callerMessage: 'at_capacity' },
  capacity_check_failed: { metricReason: 'capacity_check_failed', callerMessage: 'unavailable' },
  // Refusals a tenant's plan asks for (its words are spoken; the message is the fallback when
  // the pinned plan can no longer be read). Neither takes a slot.
  outside_hours: { metricReason: 'outside_hours', callerMessage: 'unavailable' },
  plan_hangup: { metricReason: 'plan_hangup', callerMessage: 'unavailable' },
} as const satisfies Record<string, { metricReason: string; callerMessage: CallerMessageId }>;

/** Why a call is refused. */
export type Denial = keyof typeof DENIALS;

/** Every denial, in the order the dashboard stacks them. */
export const DENIAL_REASONS = Object.keys(DENIALS) as readonly Denial[];

/** The denials the capacity script replies with, in the order it checks them. */
export const CAPACITY_DENIALS = [
  'global_at_capacity',
  'tenant_at_capacity',
  'tenant_rate_limited',
] as const satisfies readonly Denial[];

/** A denial the capacity script replies with. */
export type CapacityDenial = (typeof CAPACITY_DENIALS)[number];

/** Whether `value` is a caller message id (as read back from `client_state`). */
export function isCallerMessageId(value: unknown): value is CallerMessageId {
  return typeof value === 'string' && Object.hasOwn(CALLER_MESSAGES, value);
}

/** Whether `value` is one of the capacity script's denials. */
export function isCapacityDenial(value: unknown): value is CapacityDenial {
  return (CAPACITY_DENIALS as readonly unknown[]).includes(value);
}
