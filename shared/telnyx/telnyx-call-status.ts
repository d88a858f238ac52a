import type { Telnyx } from 'telnyx';
import type { CallStatus, CallStatusSource } from './call-status.js';
import { isCallEnded } from './telnyx-call-control.js';

type StatusClient = { readonly calls: Pick<Telnyx['calls'], 'retrieveStatus'> };

/**
 * Call status through the official SDK (`calls.retrieveStatus`). Never throws: a reply that
 * does not prove the call is gone reads as `unknown`, so a live caller's slot is kept.
 */
export function createTelnyxCallStatus(client: StatusClient): CallStatusSource {
  return {
    async status(callControlId): Promise<CallStatus> {
      try {
        const { data } = await client.calls.retrieveStatus(callControlId);
        if (data?.is_alive === true) return { state: 'alive' };
        if (data?.is_alive === false) return { state: 'ended' };
        return { state: 'unknown', error: 'reply without data.is_alive' };
      } catch (error) {
        if (isCallEnded(error) || isTelnyxNotFound(error)) return { state: 'ended' };
        return { state: 'unknown', error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

/**
 * True for a 404 carrying Telnyx's `errors` body: the call is unknown to Telnyx (long gone).
 * A bare 404 (a proxy, a wrong base URL) proves nothing and must not release every call.
 */
function isTelnyxNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, error: body } = error as { status?: unknown; error?: unknown };
  if (status !== 404 || typeof body !== 'object' || body === null) return false;
  return Array.isArray((body as { errors?: unknown }).errors);
}
