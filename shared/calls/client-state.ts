import { type CallerMessageId, isCallerMessageId } from './denials.js';

/**
 * What this service remembers about a call, carried by Telnyx as `client_state` (base64,
 * echoed on every later webhook), so each step is decided from the event alone.
 */
export type CallState =
  | { readonly action: 'accept'; readonly tenantId: string }
  | { readonly action: 'deny'; readonly message: CallerMessageId };

// Marks state written by this service, so another application's client_state is ignored.
const APP = 'tca1';

/**
 * Encodes our state as Telnyx expects `client_state`: base64 of a small JSON object. The wire
 * names (`tenant`, `denial`) never change: calls in flight during a deploy carry them.
 */
export function encodeCallState(state: CallState): string {
  const body =
    state.action === 'accept'
      ? { app: APP, action: 'accept', tenant: state.tenantId }
      : { app: APP, action: 'deny', denial: state.message };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}

/** Decodes `client_state`; anything that is not exactly ours reads as `null`. */
export function decodeCallState(clientState: string | null | undefined): CallState | null {
  if (!clientState) return null;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(clientState, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { app, action, tenant, denial } = body as Record<string, unknown>;
  if (app !== APP) return null;
  if (action === 'accept' && typeof tenant === 'string' && tenant !== '') {
    return { action, tenantId: tenant };
  }
  if (action === 'deny' && isCallerMessageId(denial)) return { action, message: denial };
  return null;
}
