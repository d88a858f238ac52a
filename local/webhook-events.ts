import { type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';

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
    callControlId: `v3:${randomBytes(24).toString('base64url')}`,
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
  payload: Record<string, unknown> = {},
): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: eventType,
      id: randomUUID(),
      occurred_at: now,
      payload: {
        call_control_id: call.callControlId,
        call_leg_id: call.callLegId,
        call_session_id: call.callSessionId,
        connection_id: 'local-simulator',
        client_state: null,
        from: call.from,
        to: call.to,
        direction: 'incoming',
        ...payload,
      },
    },
    meta: { attempt: 1, delivered_to: 'local' },
  });
}

/** Posts `body` to `url` signed as Telnyx signs it: Ed25519 over `${timestamp}|${body}`. */
export async function postSignedWebhook(
  url: string,
  body: string,
  privateKey: KeyObject,
): Promise<{ status: number; body: string }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`), privateKey).toString('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'telnyx-webhooks (local simulator)',
      'telnyx-signature-ed25519': signature,
      'telnyx-timestamp': timestamp,
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
