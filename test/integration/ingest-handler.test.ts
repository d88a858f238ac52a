import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signedApiRequest } from '../../local/lambda-events.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { generateSigningKeys, nowSeconds } from '../../local/webhook-signing.js';
import { MAX_WEBHOOK_BYTES } from '../../shared/webhook/accept-webhook.js';
import { ingestUnderTest } from '../support/ingest-handler.js';

// The real handler against a local SQS server, with two public keys (a rotation).
const keys = generateSigningKeys();
const rotatedIn = generateSigningKeys();
const ingest = ingestUnderTest('call-events', {
  TELNYX_PUBLIC_KEY: `${keys.publicKeyBase64},${rotatedIn.publicKeyBase64}`,
  WEBHOOK_TOLERANCE_SECONDS: undefined,
  // 'webhook queued' is a debug line: one per webhook is too costly for the hot path.
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
});
const invoke = (event: APIGatewayProxyEventV2) => ingest.invoke(event);
const logged_ = (message: string) => ingest.logs().filter((entry) => entry.message === message);

describe('ingest handler', () => {
  it('queues a signed webhook and only then answers 200 {"ok":true}', async () => {
    const body = JSON.stringify(
      telnyxEvent('call.initiated', { call_control_id: 'v3:call-1' }, { id: 'event-1' }),
    );

    const response = await invoke(signedApiRequest(body, { keys }));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"ok":true}');
    const messages = await ingest.sqs.receiveMessages(ingest.queueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Body).toBe(body);
    expect(messages[0]?.Attributes).toMatchObject({
      MessageGroupId: 'v3:call-1',
      MessageDeduplicationId: 'event-1',
    });
  });

  it('queues the decoded bytes of a base64 body sent with mixed-case headers', async () => {
    const body = `${JSON.stringify(telnyxEvent('call.hangup', { caller_id_name: 'Zoë' }), null, 2)}\n`;

    const response = await invoke(
      signedApiRequest(body, { keys, base64: true, headerCase: 'mixed' }),
    );

    expect(response.statusCode).toBe(200);
    const messages = await ingest.sqs.receiveMessages(ingest.queueUrl);
    expect(messages.map((message) => message.Body)).toEqual([body]);
  });

  it('accepts a webhook signed with the second key during a rotation', async () => {
    const response = await invoke(
      signedApiRequest(telnyxEvent('call.answered'), { keys: rotatedIn }),
    );

    expect(response.statusCode).toBe(200);
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toHaveLength(1);
  });

  it('queues a re-delivered event once', async () => {
    const event = telnyxEvent('call.speak.ended');

    const first = await invoke(signedApiRequest(event, { keys }));
    const again = await invoke(signedApiRequest(event, { keys, timestamp: nowSeconds() + 1 }));

    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toHaveLength(1);
  });

  it.each([
    ['a tampered body', () => tampered()],
    ['no signature headers', () => signedApiRequest(telnyxEvent('call.initiated'))],
    [
      'a stale timestamp',
      () =>
        signedApiRequest(telnyxEvent('call.initiated'), { keys, timestamp: nowSeconds() - 301 }),
    ],
    [
      'a future timestamp',
      () =>
        signedApiRequest(telnyxEvent('call.initiated'), { keys, timestamp: nowSeconds() + 3600 }),
    ],
    [
      'an unknown key',
      () => signedApiRequest(telnyxEvent('call.initiated'), { keys: generateSigningKeys() }),
    ],
  ])('answers 401 and queues nothing for %s', async (_label, request) => {
    const response = await invoke(request());

    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('{"error":"invalid signature"}');
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toEqual([]);
    expect(logged_('webhook signature rejected')).toHaveLength(1);
  });

  it.each([
    ['not JSON', 'call.initiated', /not valid JSON/],
    [
      'JSON without a call',
      JSON.stringify({ data: { event_type: 'x', id: 'y' } }),
      /data\.payload/,
    ],
  ])('answers 400 and queues nothing for a signed body that is %s', async (_label, body, error) => {
    const response = await invoke(signedApiRequest(body, { keys }));

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(error);
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toEqual([]);
  });

  it('answers 413 and queues nothing for a signed body too large for SQS', async () => {
    const event = telnyxEvent('call.initiated', { padding: 'x'.repeat(MAX_WEBHOOK_BYTES) });

    const response = await invoke(signedApiRequest(event, { keys }));

    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).error).toMatch(/too large/);
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toEqual([]);
  });

  it('logs the accepted event with masked numbers and no key material', async () => {
    const request = signedApiRequest(
      telnyxEvent('call.initiated', { from: '+13125550100', to: '+13125550199' }),
      { keys },
    );

    await invoke(request);

    const [entry] = logged_('webhook queued');
    expect(entry).toMatchObject({
      eventType: 'call.initiated',
      from: '********0100',
      to: '********0199',
    });
    const output = ingest.written.join('');
    for (const secret of [
      '+13125550199',
      keys.publicKeyBase64,
      request.headers['telnyx-signature-ed25519'] as string,
    ]) {
      expect(output).not.toContain(secret);
    }
  });

  it('answers 503 and logs when the queue refuses the message, so Telnyx re-delivers', async () => {
    await ingest.sqs.deleteQueue(ingest.queueUrl);
    try {
      const response = await invoke(
        signedApiRequest(telnyxEvent('call.initiated', { to: '+13125550199' }), { keys }),
      );

      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain('"ok"');
      const [entry] = logged_('webhook enqueue failed');
      expect(entry).toMatchObject({ level: 'ERROR', to: '********0199' });
      expect(JSON.stringify(entry)).toContain('QueueDoesNotExist');
    } finally {
      expect(await ingest.sqs.createFifoQueue('call-events')).toBe(ingest.queueUrl);
    }
    expect(await ingest.sqs.receiveMessages(ingest.queueUrl)).toEqual([]);
  });
});

function tampered(): APIGatewayProxyEventV2 {
  const request = signedApiRequest(telnyxEvent('call.initiated', { to: '+13125550199' }), { keys });
  return { ...request, body: request.body?.replace('+13125550199', '+13125550198') };
}
