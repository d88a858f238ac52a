/**
 * How long after Telnyx reports a `call.initiated` (its `occurred_at`) the worker still sets
 * the call up. Past it the caller has heard a minute of ringing and has usually gone, and
 * Telnyx no longer ignores a repeated `command_id` (a 60 s window), so a late retry could
 * act twice. Such an event (e.g. redelivered after the FIFO 5-minute dedup window, or retried
 * from the queue too late) takes no slot and is answered nothing.
 */
export const CALL_SETUP_WINDOW_SECONDS = 60;

/** Why a `call.initiated` is too old to act on, for its log line. */
export interface SetupExpiry {
  readonly occurredAt: string;
  readonly ageSeconds: number;
  readonly limitSeconds: number;
}

/**
 * The expiry of a call set-up that began at `occurredAt`, or `undefined` while it is still
 * inside the window. A missing or unreadable time never drops a call.
 */
export function setupExpiry(
  occurredAt: string | null | undefined,
  now: Date,
): SetupExpiry | undefined {
  const began = occurredAt ? Date.parse(occurredAt) : Number.NaN;
  if (Number.isNaN(began)) return undefined;
  const ageSeconds = Math.round((now.getTime() - began) / 1000);
  if (ageSeconds <= CALL_SETUP_WINDOW_SECONDS) return undefined;
  return { occurredAt: occurredAt as string, ageSeconds, limitSeconds: CALL_SETUP_WINDOW_SECONDS };
}
