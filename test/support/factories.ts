import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { WEBHOOK_PATH } from '../../shared/webhook/webhook-path.js';
import { nowSeconds, signWebhook, type TelnyxSigningKeys } from './signing.js';

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

/** Envelope overrides: the event id (the SQS deduplication id), time and delivery attempt. */
export interface EnvelopeOverrides {
  readonly id?: string;
  readonly occurredAt?: string;
  readonly attempt?: number;
}

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
 */
export function telnyxEvent(
  eventType: string,
  payload: PayloadOverrides = {},
  envelope: EnvelopeOverrides = {},
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

/** How `signedApiRequest` signs and shapes the request. */
export interface SignedRequestOptions {
  /** The signing key; omit to send no signature headers at all. */
  readonly keys?: Pick<TelnyxSigningKeys, 'privateKey'>;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  /** How the signature header names are spelled (API Gateway lower-cases, others may not). */
  readonly headerCase?: 'lower' | 'upper' | 'mixed';
  /** Deliver the body base64-encoded, as API Gateway does for binary media types. */
  readonly base64?: boolean;
  /** Extra or replacement headers, applied last (e.g. a forged signature). */
  readonly headers?: Record<string, string | undefined>;
}

const spell = (name: string, headerCase: SignedRequestOptions['headerCase']) => {
  if (headerCase === 'upper') return name.toUpperCase();
  if (headerCase === 'mixed') return name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());
  return name;
};

/** An API Gateway HTTP API (payload 2.0) POST carrying `body`, signed as Telnyx would sign it. */
export function signedApiRequest(
  body: string | TelnyxWebhookBody,
  options: SignedRequestOptions = {},
): APIGatewayProxyEventV2 {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? nowSeconds();
  const signature: Record<string, string> = {};
  if (options.keys) {
    signature[spell('telnyx-signature-ed25519', options.headerCase)] = signWebhook(
      options.keys,
      timestamp,
      text,
    );
    signature[spell('telnyx-timestamp', options.headerCase)] = String(timestamp);
  }
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'telnyx-webhooks',
    ...signature,
    ...options.headers,
  } as Record<string, string>;
  return apiRequest(text, headers, options.base64 ?? false);
}

function apiRequest(
  text: string,
  headers: Record<string, string>,
  base64: boolean,
): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `POST ${WEBHOOK_PATH}`,
    rawPath: WEBHOOK_PATH,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'POST',
        path: WEBHOOK_PATH,
        protocol: 'HTTP/1.1',
        sourceIp: '192.76.120.10',
        userAgent: 'telnyx-webhooks',
      },
      requestId: randomUUID(),
      routeKey: `POST ${WEBHOOK_PATH}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: base64,
  };
}

/** Options for `sqsRecord`; the group defaults to the body's `call_control_id`. */
export interface SqsRecordOptions {
  readonly messageGroupId?: string;
  readonly messageId?: string;
  readonly deduplicationId?: string;
  readonly receiveCount?: number;
}

/** An `SQSRecord` as the FIFO queue delivers it to the worker. */
export function sqsRecord(
  body: string | TelnyxWebhookBody,
  options: SqsRecordOptions = {},
): SQSRecord {
  const parsed = typeof body === 'string' ? undefined : body;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const sent = String(Date.now());
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: randomBytes(32).toString('base64'),
    body: text,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: 'AROAEXAMPLE:ingest',
      ApproximateFirstReceiveTimestamp: sent,
      SequenceNumber: String(Date.now()).padEnd(20, '0'),
      MessageGroupId: options.messageGroupId ?? parsed?.data.payload.call_control_id ?? 'group-1',
      MessageDeduplicationId: options.deduplicationId ?? parsed?.data.id ?? randomUUID(),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:call-events.fifo',
    awsRegion: 'us-east-1',
  };
}

/** An `SQSEvent` (one batch) holding `records` in order. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context good enough for middy and the Powertools logger. */
export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/06/02/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
