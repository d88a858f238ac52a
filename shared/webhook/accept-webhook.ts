import { enqueueWebhook, type SqsSender } from '../queue/enqueue-webhook.js';
import { toSqsSafeJson } from '../queue/sqs-safe-body.js';
import { parseTelnyxEvent, type TelnyxEvent } from '../telnyx/webhook-event.js';
import type { SourceAllowlist } from './source-allowlist.js';
import type { RequestHeaders, SignatureFailure, VerifySignature } from './verify-signature.js';

/** SQS's classic message size limit; a larger webhook could never be queued, so say so (413). */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

// SQS group and deduplication ids: 1-128 printable ASCII characters. An id outside this would
// fail SendMessage on every re-delivery, so it is refused up front as not an event we can queue.
const SQS_ID = /^[\x21-\x7e]{1,128}$/;

/** A webhook request as the handler received it (API Gateway sends `null` for no body). */
export interface WebhookRequest {
  readonly body?: string | null | undefined;
  readonly isBase64Encoded?: boolean;
  readonly headers: RequestHeaders;
  /** `requestContext.http.sourceIp`. */
  readonly sourceIp?: string | undefined;
}

/** What `acceptWebhook` needs; created once per container by the handler. */
export interface AcceptWebhookDeps {
  readonly verifySignature: VerifySignature;
  readonly sqs: SqsSender;
  readonly queueUrl: string;
  /** Absent: any source address (the signature still decides). */
  readonly allowedSource?: SourceAllowlist | undefined;
  /** This deployment's Telnyx connection ids; absent or empty: any connection. */
  readonly connectionIds?: ReadonlySet<string> | undefined;
}

/** Every way a webhook request can end; each maps to one HTTP answer. */
export type AcceptWebhookOutcome =
  | { readonly kind: 'queued'; readonly event: TelnyxEvent; readonly messageId: string | undefined }
  | { readonly kind: 'source_not_allowed'; readonly sourceIp: string | undefined }
  | { readonly kind: 'no_body' }
  | { readonly kind: 'invalid_signature'; readonly reason: SignatureFailure }
  | { readonly kind: 'too_large'; readonly bytes: number }
  | { readonly kind: 'not_an_event'; readonly error: string }
  | { readonly kind: 'foreign_connection'; readonly connectionId: string | null | undefined }
  | { readonly kind: 'queue_failed'; readonly event: TelnyxEvent; readonly error: unknown };

/**
 * Checks a webhook cheapest-first (source address, body, size, then the signature over the raw
 * bytes) and queues it. Only a successful SendMessage yields `queued`; a queue failure is an
 * outcome so the caller can answer 5xx and Telnyx re-delivers.
 */
export async function acceptWebhook(
  request: WebhookRequest,
  deps: AcceptWebhookDeps,
): Promise<AcceptWebhookOutcome> {
  if (deps.allowedSource && !deps.allowedSource(request.sourceIp)) {
    return { kind: 'source_not_allowed', sourceIp: request.sourceIp };
  }
  if (request.body == null) return { kind: 'no_body' };
  const rawBytes = rawBody(request.body, request.isBase64Encoded);
  // Before the signature: a huge forged body costs one length check, not an Ed25519 verify.
  if (rawBytes.length > MAX_WEBHOOK_BYTES) return { kind: 'too_large', bytes: rawBytes.length };
  const verification = deps.verifySignature(request.headers, rawBytes);
  if (!verification.valid) return { kind: 'invalid_signature', reason: verification.reason };
  const text = request.isBase64Encoded ? rawBytes.toString('utf8') : request.body;
  const parsed = parseTelnyxEvent(text);
  if (!parsed.ok) return { kind: 'not_an_event', error: parsed.error };
  const { event } = parsed;
  if (!SQS_ID.test(event.data.payload.call_control_id) || !SQS_ID.test(event.data.id)) {
    return { kind: 'not_an_event', error: 'data.id or call_control_id is not a usable queue id' };
  }
  const connectionId = event.data.payload.connection_id;
  if (deps.connectionIds?.size && !deps.connectionIds.has(connectionId ?? '')) {
    return { kind: 'foreign_connection', connectionId };
  }
  return enqueue(toSqsSafeJson(text), event, deps);
}

async function enqueue(
  body: string,
  event: TelnyxEvent,
  deps: AcceptWebhookDeps,
): Promise<AcceptWebhookOutcome> {
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_WEBHOOK_BYTES) return { kind: 'too_large', bytes };
  try {
    const { messageId } = await enqueueWebhook(deps.sqs, deps.queueUrl, body, event);
    return { kind: 'queued', event, messageId };
  } catch (error) {
    return { kind: 'queue_failed', event, error };
  }
}

/** The request body as bytes: API Gateway base64-encodes bodies it treats as binary. */
function rawBody(body: string, isBase64Encoded: boolean | undefined): Buffer {
  return Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
}
