import { en } from 'zod/locales';
import * as z from 'zod/mini';

// `zod/mini` leaves the message locale unset; classic `zod` installs English on first use.
// Installing it here (unless someone already chose one) keeps the messages in `error` unchanged.
if (!z.config().localeError) z.config(en());

/** The Call Control event types the system acts on; every other type is acknowledged and ignored. */
export const TELNYX_EVENT_TYPES = {
  callInitiated: 'call.initiated',
  callAnswered: 'call.answered',
  callSpeakEnded: 'call.speak.ended',
  callPlaybackEnded: 'call.playback.ended',
  callHangup: 'call.hangup',
} as const;

// Ids are kept exactly as sent: they become SQS group and deduplication ids.
const identifier = z.string().check(z.minLength(1, { error: 'must be a non-empty string' }));

// Optional fields never make a signed Telnyx delivery fail: an unexpected type reads as absent,
// because a 4xx here would make Telnyx give up on a genuine webhook.
const optionalText = z.catch(z.nullish(z.string()), undefined);

/** A Call Control payload: `call_control_id` is required; the rest vary per event type. */
export const telnyxPayloadSchema = z.looseObject({
  call_control_id: identifier,
  call_leg_id: optionalText,
  call_session_id: optionalText,
  connection_id: optionalText,
  /** Base64 state echoed on every later webhook of the call; `null` until a command sets it. */
  client_state: optionalText,
  from: optionalText,
  to: optionalText,
  direction: optionalText,
  state: optionalText,
  status: optionalText,
  hangup_cause: optionalText,
  hangup_source: optionalText,
});

/** A Telnyx webhook envelope; extra fields are kept, not rejected. */
export const telnyxEventSchema = z.looseObject({
  data: z.looseObject({
    record_type: optionalText,
    event_type: identifier,
    id: identifier,
    occurred_at: optionalText,
    payload: telnyxPayloadSchema,
  }),
  meta: z.catch(
    z.optional(
      z.looseObject({ attempt: z.optional(z.number()), delivered_to: z.optional(z.string()) }),
    ),
    undefined,
  ),
});

/** A parsed Telnyx webhook. */
export type TelnyxEvent = z.infer<typeof telnyxEventSchema>;
/** The `data.payload` of a Telnyx webhook. */
export type TelnyxPayload = TelnyxEvent['data']['payload'];

/** The outcome of reading a webhook body: bad JSON or a non-event is expected, not exceptional. */
export type ParseTelnyxEventResult =
  | { readonly ok: true; readonly event: TelnyxEvent }
  | { readonly ok: false; readonly error: string };

/** Parses a raw webhook body (JSON text) into a `TelnyxEvent`, or says plainly why it is not one. */
export function parseTelnyxEvent(raw: string): ParseTelnyxEventResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
  const result = telnyxEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const details = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message,
  );
  return { ok: false, error: `not a Telnyx event: ${details.join('; ')}` };
}
