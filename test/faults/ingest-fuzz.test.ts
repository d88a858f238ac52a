import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { lambdaContext } from '../../local/lambda-context.js';
import { signedApiRequest } from '../../local/lambda-events.js';
import { setEnv } from '../../local/set-env.js';
import { generateSigningKeys, nowSeconds, signWebhook } from '../../local/webhook-signing.js';
import { figureRecorder } from './figures.js';

// The real ingest handler with its SQS client mocked (aws-sdk-client-mock stubs every
// SQSClient's send, the handler's included), so 10,000 hostile requests run in seconds.
const RUNS = 10_000;
const MAX_BYTES = 256 * 1024;
const ALLOWED = new Set([200, 400, 401, 413]);

// SQS's documented allowed set: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const allowedBySqs = (text: string) =>
  [...text].every((char) => {
    const code = char.codePointAt(0) ?? -1;
    return (
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000
    );
  });

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const keys = generateSigningKeys();
/** The connections this deployment serves (`TELNYX_CONNECTION_ID`). */
const OUR_CONNECTIONS = ['1684641123236054244', '1494404757140276705'];
const attacker = generateSigningKeys();
const sqs = mockClient(SQSClient);
const report = figureRecorder('ingest-fuzz');
/** Every SendMessage body the handler sent, in order (cheaper to read than the mock's history). */
const sentBodies: Array<string | undefined> = [];
let restoreEnv: () => void;
let handler: Handler;

beforeAll(async () => {
  restoreEnv = setEnv({
    TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
    QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/call-events.fifo',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // SignatureRejected is an EMF line on stdout per rejection; not what this test reads.
    POWERTOOLS_METRICS_DISABLED: 'true',
    TELNYX_CONNECTION_ID: OUR_CONNECTIONS.join(','),
  });
  sqs.on(SendMessageCommand).callsFake((input: { MessageBody?: string }) => {
    sentBodies.push(input.MessageBody);
    return { MessageId: `fuzz-${sentBodies.length}` };
  });
  ({ handler } = (await import('../../functions/ingest/handler.js')) as unknown as {
    handler: Handler;
  });
});
afterAll(() => {
  sqs.restore();
  restoreEnv();
});

/** How a fuzz case is built, and what ingest must answer to it. */
interface FuzzCase {
  readonly kind: string;
  readonly request: () => APIGatewayProxyEventV2;
  readonly expected: number;
  /** The body text that must be queued (only for genuine, queueable webhooks). */
  readonly queued?: string;
}

const sqsId = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);
const anyText = fc.oneof(
  // Characters SQS refuses in a message body, which JSON.stringify leaves raw.
  fc.constantFrom('\uFFFE', 'Zo\u00eb \uFFFF'),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 2000 }),
);
const eventType = fc.oneof(
  fc.constantFrom('call.initiated', 'call.answered', 'call.speak.ended', 'call.hangup'),
  fc.string({ minLength: 1 }),
);

/** A Telnyx event body of `connection`: valid ids, anything (unicode included) elsewhere. */
const eventBodyOf = (connection: fc.Arbitrary<string | null | undefined>) =>
  fc
    .record({
      type: eventType,
      id: sqsId,
      callId: sqsId,
      to: fc.option(anyText),
      from: fc.option(anyText),
      clientState: fc.option(fc.oneof(fc.base64String(), anyText)),
      extra: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      indent: fc.constantFrom(undefined, 2, '\t'),
      connectionId: connection,
    })
    .map(({ type, id, callId, to, from, clientState, extra, indent, connectionId }) =>
      JSON.stringify(
        {
          data: {
            record_type: 'event',
            event_type: type,
            id,
            occurred_at: new Date().toISOString(),
            payload: {
              ...extra,
              call_control_id: callId,
              connection_id: connectionId,
              to,
              from,
              client_state: clientState,
            },
          },
          meta: { attempt: 1, delivered_to: 'https://example.test/webhooks/telnyx' },
        },
        null,
        indent,
      ),
    );

/** A genuine event of one of this deployment's connections. */
const eventBody = eventBodyOf(fc.constantFrom(...OUR_CONNECTIONS));
/** A genuine event of another connection of the same Telnyx account (or naming none). */
const foreignEventBody = eventBodyOf(
  fc.oneof(
    fc.string().filter((id) => !OUR_CONNECTIONS.includes(id)),
    fc.constantFrom(null, undefined, ''),
  ),
);

const headerCase = fc.constantFrom('lower', 'upper', 'mixed') as fc.Arbitrary<
  'lower' | 'upper' | 'mixed'
>;
const freshSkew = fc.integer({ min: -290, max: 290 });
const staleSkew = fc.oneof(
  fc.integer({ min: 301, max: 10_000_000 }),
  fc.integer({ min: -10_000_000, max: -301 }),
);

/** Signs `body` with `signer` at now + `skew` and builds the API Gateway request. */
function signed(
  body: string,
  options: {
    skew: number;
    signer?: typeof keys;
    base64?: boolean;
    headerCase?: 'lower' | 'upper' | 'mixed';
  },
) {
  return () =>
    signedApiRequest(body, {
      keys: options.signer ?? keys,
      timestamp: nowSeconds() + options.skew,
      base64: options.base64 ?? false,
      headerCase: options.headerCase ?? 'lower',
    });
}

const genuine = fc
  .record({ body: eventBody, skew: freshSkew, base64: fc.boolean(), headerCase })
  .map(
    ({ body, ...options }): FuzzCase => ({
      kind: 'genuine, fresh',
      request: signed(body, options),
      expected: 200,
      queued: body,
    }),
  );

const foreign = fc.record({ body: foreignEventBody, skew: freshSkew, base64: fc.boolean() }).map(
  ({ body, ...options }): FuzzCase => ({
    kind: 'genuine, another connection',
    request: signed(body, options),
    expected: 200,
  }),
);

/** API Gateway's bodyless POST: `body` absent or `null`, signature headers present or not. */
const noBody = fc
  .record({
    body: fc.constantFrom(undefined, null),
    signedFor: eventBody,
    withHeaders: fc.boolean(),
  })
  .map(
    ({ body, signedFor, withHeaders }): FuzzCase => ({
      kind: `no body (${body === null ? 'null' : 'absent'})`,
      request: () => {
        const request = withHeaders ? signed(signedFor, { skew: 0 })() : signedApiRequest('');
        const bodyless = { ...request } as Record<string, unknown>;
        if (body === null) bodyless.body = null;
        else delete bodyless.body;
        return bodyless as unknown as APIGatewayProxyEventV2;
      },
      expected: 401,
    }),
  );

const stale = fc.record({ body: eventBody, skew: staleSkew, base64: fc.boolean() }).map(
  ({ body, ...options }): FuzzCase => ({
    kind: 'replayed or future timestamp',
    request: signed(body, options),
    expected: 401,
  }),
);

/** A signature captured from one webhook, replayed on another body or with a new timestamp. */
const replayed = fc
  .record({ original: eventBody, other: eventBody, skew: freshSkew, retime: fc.boolean() })
  .filter(({ original, other, retime }) => retime || original !== other)
  .map(
    ({ original, other, skew, retime }): FuzzCase => ({
      kind: 'signature of another body or time',
      request: () => {
        const timestamp = nowSeconds() + skew;
        const signature = signWebhook(keys, timestamp, original);
        const headers = {
          'telnyx-signature-ed25519': signature,
          'telnyx-timestamp': String(retime ? timestamp - 1 : timestamp),
        };
        return signedApiRequest(retime ? original : other, { headers });
      },
      expected: 401,
    }),
  );

const otherKey = fc.record({ body: eventBody, skew: freshSkew }).map(
  ({ body, skew }): FuzzCase => ({
    kind: 'signed with another key',
    request: signed(body, { skew, signer: attacker }),
    expected: 401,
  }),
);

const headerName = fc.oneof(
  fc.constantFrom(
    'telnyx-signature-ed25519',
    'Telnyx-Signature-Ed25519',
    'TELNYX-TIMESTAMP',
    'telnyx-timestamp',
    'content-type',
  ),
  fc.string({ maxLength: 40 }),
);
const headerValue = fc.option(
  fc.oneof(
    anyText,
    fc.base64String(),
    fc.nat().map(String),
    fc.constantFrom('', ' ', '1e9', '-5', '0x10', '9'.repeat(30)),
  ),
  { nil: undefined },
);
const randomBody = fc.oneof(
  anyText,
  fc.json(),
  eventBody,
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.constantFrom('%%%not base64%%%', '====', 'eyJkYXRhIjp7fX0'),
);

const randomHeaders = fc
  .record({
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    body: fc.option(randomBody, { nil: undefined }),
    base64: fc.boolean(),
  })
  .map(
    ({ headers, body, base64 }): FuzzCase => ({
      kind: 'random or missing headers',
      request: () => {
        const request = signedApiRequest(body ?? '', { base64 });
        return { ...request, headers: headers as Record<string, string>, body };
      },
      expected: 401,
    }),
  );

/** Genuinely signed bytes that are not an event (or ids SQS cannot take): 400. */
const signedNonEvent = fc
  .record({
    body: fc.oneof(
      fc.json(),
      anyText,
      fc.constantFrom(
        '',
        'null',
        '[]',
        '{"data":{}}',
        '{"data":{"event_type":"call.hangup","id":"x","payload":{"call_control_id":"a b"}}}',
      ),
    ),
    skew: freshSkew,
    base64: fc.boolean(),
  })
  .map(
    ({ body, ...options }): FuzzCase => ({
      kind: 'signed, not an event',
      request: signed(body, options),
      expected: 400,
    }),
  );

/** API Gateway says base64 but the body is not: the decoded bytes are not what was signed. */
const invalidBase64 = fc.record({ body: eventBody, skew: freshSkew }).map(
  ({ body, skew }): FuzzCase => ({
    kind: 'isBase64Encoded on a body that is not base64',
    request: () => ({ ...signed(body, { skew })(), isBase64Encoded: true }),
    expected: 401,
  }),
);

const huge = fc
  .record({
    size: fc.integer({ min: MAX_BYTES + 1, max: MAX_BYTES + 64 * 1024 }),
    tail: fc.string({ unit: 'grapheme', maxLength: 20 }),
    signedBy: fc.constantFrom('telnyx', 'nobody'),
    base64: fc.boolean(),
  })
  .map(({ size, tail, signedBy, base64 }): FuzzCase => {
    const body = JSON.stringify({
      data: {
        event_type: 'call.initiated',
        id: 'huge',
        payload: { call_control_id: 'huge', caller_id_name: `${'x'.repeat(size)}${tail}` },
      },
    });
    return {
      kind: `larger than 256 KiB, ${signedBy === 'telnyx' ? 'signed' : 'unsigned'}`,
      request:
        signedBy === 'telnyx' ? signed(body, { skew: 0, base64 }) : () => signedApiRequest(body),
      // The size is checked before the signature: a forged huge body costs no verify.
      expected: 413,
    };
  });

const fuzzCase = fc.oneof(
  { arbitrary: genuine, weight: 20 },
  { arbitrary: stale, weight: 10 },
  { arbitrary: replayed, weight: 10 },
  { arbitrary: otherKey, weight: 5 },
  { arbitrary: randomHeaders, weight: 25 },
  { arbitrary: signedNonEvent, weight: 15 },
  { arbitrary: invalidBase64, weight: 10 },
  { arbitrary: huge, weight: 1 },
  { arbitrary: foreign, weight: 5 },
  { arbitrary: noBody, weight: 3 },
);

it(`answers only 200, 400, 401 or 413 to ${RUNS} hostile requests, never throws, and queues only genuinely signed webhooks`, async () => {
  const byKind: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const genuinelySigned = new Set<string>();
  let crashes = 0;
  let escaped = 0;

  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(fuzzCase, async (fuzz) => {
      const sendsBefore = sentBodies.length;
      const request = fuzz.request();
      let response: APIGatewayProxyStructuredResultV2;
      try {
        response = await handler(request, lambdaContext('ingest'));
      } catch (error) {
        crashes += 1;
        throw error;
      }
      const status = response.statusCode ?? 0;
      // What each kind of bad input got: the reliability report lists these rows.
      const answered = `${fuzz.kind}: answered ${status}`;
      byKind[answered] = (byKind[answered] ?? 0) + 1;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      expect(ALLOWED.has(status)).toBe(true);
      expect(status).toBe(fuzz.expected);
      const sends = sentBodies.slice(sendsBefore);
      if (fuzz.queued === undefined) {
        expect(sends).toHaveLength(0);
        return;
      }
      // Characters SQS refuses are sent as JSON escapes: the same JSON value, allowed bytes.
      expect(sends).toHaveLength(1);
      const sent = sends[0] as string;
      expect(JSON.parse(sent)).toEqual(JSON.parse(fuzz.queued));
      expect(allowedBySqs(sent)).toBe(true);
      if (allowedBySqs(fuzz.queued)) expect(sent).toBe(fuzz.queued);
      else escaped += 1;
      genuinelySigned.add(sent);
    }),
    { numRuns: RUNS },
  );
  const ms = performance.now() - started;

  // Whatever the order of cases, every message ever sent carries a body Telnyx's key signed.
  const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody);
  expect(sent).toEqual(sentBodies);
  const unsigned = sent.filter((body) => !genuinelySigned.has(body as string)).length;
  expect(unsigned).toBe(0);
  expect(crashes).toBe(0);

  report.record({
    scenario: 'Ingest fuzzing (fast-check)',
    injected: `${RUNS} generated requests: random and missing headers in any case, bodies in utf8, base64 and invalid base64, unicode (characters SQS refuses included), absent and null bodies, bodies over 256 KiB signed or forged, signatures of other bodies or timestamps, another key, stale and future timestamps, genuine events of other Telnyx connections`,
    observed:
      'every answer was the expected one of 200/400/401/413 (absent/null body 401, huge body 413 signed or not, another connection 200 and not queued), the handler never threw, and every SendMessage carried the JSON value of a body signed with the Telnyx key, in bytes SQS accepts',
    figures: {
      cases: RUNS,
      crashes,
      messagesQueued: sent.length,
      unsignedMessagesQueued: unsigned,
      bodiesQueuedWithEscapes: escaped,
      ...Object.fromEntries(Object.entries(byStatus).map(([status, n]) => [`status${status}`, n])),
      ...Object.fromEntries(Object.entries(byKind).sort()),
      runMs: Math.round(ms),
    },
  });
  report.write();
});
