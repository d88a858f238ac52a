import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { SIGNATURE_HEADERS } from '../shared/webhook/verify-signature.js';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';
import type { TelnyxWebhookBody } from './webhook-events.js';
import { nowSeconds, type SigningKeys, signWebhook } from './webhook-signing.js';

/** How `signedApiRequest` signs and shapes the request; the rest as for `apiGatewayEvent`. */
export interface SignedRequestOptions extends ApiGatewayEventOptions {
  /** The signing key; omit to send no signature headers at all. */
  readonly keys?: Pick<SigningKeys, 'privateKey'>;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  /** How the signature header names are spelled (API Gateway lower-cases, others may not). */
  readonly headerCase?: 'lower' | 'upper' | 'mixed';
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
  const { keys, timestamp = nowSeconds(), headerCase } = options;
  const signature = keys && {
    [spell(SIGNATURE_HEADERS.signature, headerCase)]: signWebhook(keys, timestamp, text),
    [spell(SIGNATURE_HEADERS.timestamp, headerCase)]: String(timestamp),
  };
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'telnyx-webhooks',
    ...signature,
    ...options.headers,
  } as Record<string, string>;
  return apiGatewayEvent(text, headers, options);
}

/** Where an API Gateway event came from, beyond its body and headers. */
export interface ApiGatewayEventOptions {
  /** The body is base64-encoded, as API Gateway does for binary media types. */
  readonly base64?: boolean;
  readonly sourceIp?: string;
  readonly protocol?: string;
}

/** The event API Gateway (HTTP API, payload 2.0) hands the ingest Lambda for a webhook POST. */
export function apiGatewayEvent(
  text: string,
  headers: Record<string, string>,
  options: ApiGatewayEventOptions = {},
): APIGatewayProxyEventV2 {
  const now = new Date();
  const base64 = options.base64 ?? false;
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
        protocol: options.protocol ?? 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '192.76.120.10',
        userAgent: headers['user-agent'] ?? '',
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
  readonly receiptHandle?: string;
  /** System attributes as SQS returned them; they win over the other options. */
  readonly attributes?: Partial<SQSRecordAttributes>;
  readonly messageId?: string;
  readonly receiveCount?: number;
  /** The queue the record came from (the worker retries failed records on it). */
  readonly eventSourceARN?: string;
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
    receiptHandle: options.receiptHandle ?? randomBytes(32).toString('base64'),
    body: text,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: 'AROAEXAMPLE:ingest',
      ApproximateFirstReceiveTimestamp: sent,
      SequenceNumber: String(Date.now()).padEnd(20, '0'),
      MessageGroupId: options.messageGroupId ?? parsed?.data.payload.call_control_id ?? 'group-1',
      MessageDeduplicationId: parsed?.data.id ?? randomUUID(),
      ...options.attributes,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.eventSourceARN ?? 'arn:aws:sqs:us-east-1:123456789012:call-events.fifo',
    awsRegion: 'us-east-1',
  };
}

/** An `SQSEvent` (one batch) holding `records` in order. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
