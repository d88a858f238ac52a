/**
 * Telnyx's view of a call: `alive` (holds its slot), `ended` (`is_alive: false`, 404, or
 * 422 `90018`), or `unknown` when Telnyx could not say (unreachable, 5xx, timeout, any
 * other reply): the reconciler then keeps the slot, never releases it.
 */
export type CallStatus =
  | { readonly state: 'alive' }
  | { readonly state: 'ended' }
  | { readonly state: 'unknown'; readonly error: string };

/** Where the reconciler learns whether a call is still up (`GET /v2/calls/{id}`). */
export interface CallStatusSource {
  status(callControlId: string): Promise<CallStatus>;
}
