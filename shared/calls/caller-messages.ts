/** The contract's caller messages, word for word, keyed by why the call is refused. */
export const CALLER_MESSAGES = {
  not_configured: 'The number you dialed is not configured.',
  at_capacity: 'We are currently at capacity. Please try again later.',
  unavailable: 'We are unable to accept your call right now.',
} as const;

/** Why a call is refused; selects the message the caller hears. */
export type DenialKind = keyof typeof CALLER_MESSAGES;

export function isDenialKind(value: unknown): value is DenialKind {
  return typeof value === 'string' && Object.hasOwn(CALLER_MESSAGES, value);
}
