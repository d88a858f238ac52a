import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signedApiRequest } from '../../local/lambda-events.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { generateSigningKeys } from '../../local/webhook-signing.js';
import { MAX_WEBHOOK_BYTES } from '../../shared/webhook/accept-webhook.js';
import { ingestUnderTest } from '../support/ingest-handler.js';

// The real handler pinned to two connections and two networks, against a local SQS server.
const keys = generateSigningKeys();
const OURS = '1684641123236054244';
const ALSO_OURS = '2222222222222222222';
const ingest = ingestUnderTest('edge-events', {
  TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
  TELNYX_CONNECTION_ID: `${OURS}, ${ALSO_OURS}`,
  TELNYX_SOURCE_CIDRS: '192.76.120.0/24,2001:db8:4::/48',
  POWERTOOLS_LOG_LEVEL: 'INFO',
});
const invoke = (event: APIGatewayProxyEventV2) => ingest.invoke(event);
const receivedMessages = () => ingest.sqs.receiveMessages(ingest.queueUrl);
const entries = () => ingest.logs();
const from = (sourceIp: string, request: APIGatewayProxyEventV2): APIGatewayProxyEventV2 => ({
  ...request,
  requestContext: { ...request.requestContext, http: { ...request.requestContext.http, sourceIp } },
});

describe('ingest pinned to its Telnyx connections', () => {
  it.each([OURS, ALSO_OURS])('queues a signed event of connection %s', async (connection) => {
    const request = signedApiRequest(telnyxEvent('call.initiated', { connection_id: connection }), {
      keys,
    });

    const response = await invoke(request);

    expect(response.statusCode).toBe(200);
    expect(await receivedMessages()).toHaveLength(1);
  });

  it('acknowledges a signed event of another connection with 200 {"ok":true}, queues nothing and warns with its id', async () => {
    const request = signedApiRequest(
      telnyxEvent('call.initiated', { connection_id: '9999999999999999999' }),
      { keys },
    );

    const response = await invoke(request);

    expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(await receivedMessages()).toEqual([]);
    expect(entries()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'webhook for another Telnyx connection ignored',
        connectionId: '9999999999999999999',
      }),
    ]);
  });

  it('does not queue a signed event that names no connection', async () => {
    const event = telnyxEvent('call.hangup');
    const { connection_id: _dropped, ...payload } = event.data.payload;
    const request = signedApiRequest({ ...event, data: { ...event.data, payload } }, { keys });

    const response = await invoke(request);

    expect(response.statusCode).toBe(200);
    expect(await receivedMessages()).toEqual([]);
  });
});

describe('ingest limited to source networks', () => {
  it.each(['192.76.120.10', '2001:db8:4:1::7', '::ffff:192.76.120.200'])(
    'accepts a signed webhook from %s',
    async (sourceIp) => {
      const response = await invoke(
        from(sourceIp, signedApiRequest(telnyxEvent('call.hangup'), { keys })),
      );

      expect(response.statusCode).toBe(200);
    },
  );

  it.each(['192.76.121.10', '2001:db8:5::1', '10.0.0.1', 'not-an-ip', ''])(
    'answers 401 from %j before checking the signature, and queues nothing',
    async (sourceIp) => {
      const response = await invoke(
        from(sourceIp, signedApiRequest(telnyxEvent('call.hangup'), { keys })),
      );

      expect(response).toMatchObject({ statusCode: 401 });
      expect(await receivedMessages()).toEqual([]);
      expect(entries().map((entry) => entry.message)).toEqual([
        'webhook source address not allowed',
      ]);
    },
  );
});

describe('ingest edge cases', () => {
  it.each([
    ['absent', undefined],
    ['null', null],
  ])('answers 401 and never throws when the body is %s', async (_label, body) => {
    const request = signedApiRequest(telnyxEvent('call.initiated'), { keys });

    const response = await invoke({ ...request, body } as unknown as APIGatewayProxyEventV2);

    expect(response).toMatchObject({ statusCode: 401 });
    expect(await receivedMessages()).toEqual([]);
  });

  it('answers 413 to a huge body before checking its (forged) signature', async () => {
    const request = signedApiRequest(
      telnyxEvent('call.initiated', { padding: 'x'.repeat(MAX_WEBHOOK_BYTES) }),
      { headers: { 'telnyx-signature-ed25519': 'forged', 'telnyx-timestamp': '1' } },
    );

    const response = await invoke(request);

    expect(response.statusCode).toBe(413);
    expect(entries().map((entry) => entry.message)).toEqual(['webhook too large to queue']);
  });

  it('counts a signature rejection as a SignatureRejected metric', async () => {
    await invoke(signedApiRequest(telnyxEvent('call.initiated'), { keys: generateSigningKeys() }));

    const metric = entries().find((entry) => entry._aws !== undefined);
    expect(metric).toMatchObject({ SignatureRejected: 1, service: 'ingest' });
  });
});
