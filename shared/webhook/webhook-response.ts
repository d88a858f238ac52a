import type { AcceptWebhookOutcome } from './accept-webhook.js';

/** An API Gateway HTTP API (payload 2.0) result with a JSON body. */
export interface JsonHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const json = (statusCode: number, body: unknown): JsonHttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * Maps an outcome to what the caller sees. A genuine Telnyx delivery only ever gets 200, 401
 * or 503; 503 on a queue failure makes Telnyx re-deliver (or fail over) instead of losing it.
 */
export function webhookResponse(outcome: AcceptWebhookOutcome): JsonHttpResponse {
  switch (outcome.kind) {
    case 'queued':
    // Acknowledged so Telnyx stops re-delivering; another application's calls are not ours.
    case 'foreign_connection':
      return json(200, { ok: true });
    case 'invalid_signature':
    case 'no_body':
      return json(401, { error: 'invalid signature' });
    case 'source_not_allowed':
      return json(401, { error: 'source address not allowed' });
    case 'too_large':
      return json(413, { error: 'webhook body too large to queue' });
    case 'not_an_event':
      return json(400, { error: outcome.error });
    case 'queue_failed':
      return json(503, { error: 'webhook could not be queued; retry later' });
  }
}
