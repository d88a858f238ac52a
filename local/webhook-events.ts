import { type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';
import { nowSeconds, signatureHeaders } from './webhook-signing.js';

/** A Telnyx webhook body as a plain object, ready for `JSON.stringify`. */
export interface TelnyxWebhookBody {
  data: {
    record_type: 'event';
    event_type: string;
    id: string;
    occurred_at: string;
    payload: { call_control_id: string } & Record<string, unknown>;
  };
  meta: { attempt: number; delivered_to: string };
}

/** Payload overrides; a key set to `undefined` is left out of the JSON. */
export type PayloadOverrides = Partial<{
  call_control_id: string;
  client_state: string | null;
  from: string;
  to: string;
  direction: 'incoming' | 'outgoing';
  status: string;
  hangup_cause: string;
}> &
  Record<string, unknown>;

const CALLER = '+13125550100';
const DID = '+13125550199';

// Realistic per-type payloads, modelled on Telnyx's documented Call Control webhooks.
const typical: Record<string, Record<string, unknown>> = {
  'call.initiated': {
    caller_id_name: CALLER,
    direction: 'incoming',
    state: 'parked',
    offered_codecs: 'PCMU,PCMA,G722',
    shaken_stir_attestation: 'A',
    shaken_stir_validated: true,
  },
  'call.answered': { state: 'answered' },
  'call.speak.ended': { status: 'completed' },
  'call.playback.ended': { status: 'completed', media_url: 'https://media.example.com/a.mp3' },
  'call.hangup': {
    state: 'hangup',
    hangup_cause: 'normal_clearing',
    hangup_source: 'callee',
    sip_hangup_cause: 'unspecified',
  },
};

/** A fresh Call Control id shaped like Telnyx's (`v3:` + base64url). */
export function callControlId(): string {
  return `v3:${randomBytes(42).toString('base64url')}`;
}

/**
 * A realistic Telnyx webhook body, e.g. `telnyxEvent('call.initiated', { call_control_id, to })`.
 * Every call gets a new event id; pass the same `call_control_id` for events of one call.
 * `envelope` overrides the event id (the SQS deduplication id), time and delivery attempt.
 */
export function telnyxEvent(
  eventType: string,
  payload: PayloadOverrides = {},
  envelope: { id?: string; occurredAt?: string; attempt?: number } = {},
): TelnyxWebhookBody {
  const occurredAt = envelope.occurredAt ?? new Date().toISOString();
  const common = {
    call_control_id: callControlId(),
    connection_id: '1684641123236054244',
    call_leg_id: randomUUID(),
    call_session_id: randomUUID(),
    client_state: null,
    from: CALLER,
    to: DID,
    start_time: occurredAt,
    custom_headers: [],
    sip_headers: [],
    tags: [],
  };
  return {
    data: {
      record_type: 'event',
      event_type: eventType,
      id: envelope.id ?? randomUUID(),
      occurred_at: occurredAt,
      payload: {
        ...common,
        ...typical[eventType],
        ...payload,
      } as TelnyxWebhookBody['data']['payload'],
    },
    meta: {
      attempt: envelope.attempt ?? 1,
      delivered_to: `https://abc123.execute-api.us-east-1.amazonaws.com${WEBHOOK_PATH}`,
    },
  };
}

/** What Telnyx knows about a call and repeats on each of its webhooks. */
export interface SimulatedCall {
  readonly callControlId: string;
  readonly callLegId: string;
  readonly callSessionId: string;
  readonly from: string;
  readonly to: string;
}

/** A new inbound call with ids shaped like Telnyx's (`v3:` + base64url). */
export function newCall(from: string, to: string): SimulatedCall {
  return {
    callControlId: callControlId(),
    callLegId: randomUUID(),
    callSessionId: randomUUID(),
    from,
    to,
  };
}

/** A Call Control webhook body (JSON text) for `call`, as Telnyx would send it. */
export function callEventBody(
  eventType: string,
  call: SimulatedCall,
  payload: PayloadOverrides = {},
): string {
  const { callControlId, callLegId, callSessionId, from, to } = call;
  const ids = {
    call_control_id: callControlId,
    call_leg_id: callLegId,
    call_session_id: callSessionId,
  };
  return JSON.stringify(telnyxEvent(eventType, { ...ids, from, to, ...payload }));
}

/** Posts `body` to `url` signed as Telnyx signs it: Ed25519 over `${timestamp}|${body}`. */
export async function postSignedWebhook(
  url: string,
  body: string,
  privateKey: KeyObject,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'telnyx-webhooks (local simulator)',
      ...signatureHeaders({ privateKey }, nowSeconds(), body),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
