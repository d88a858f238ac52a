import { jest } from '@jest/globals';
import { lambdaContext } from '../../local/lambda-context.js';
import { signedApiRequest } from '../../local/lambda-events.js';
import { setEnv } from '../../local/set-env.js';
import { type LocalSqs, startLocalSqs } from '../../local/sqs-server.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { generateSigningKeys } from '../../local/webhook-signing.js';

// A queue server that goes away after the handler has connected to it: the handler must not
// acknowledge (2xx) a webhook it could not queue.
const keys = generateSigningKeys();
let sqs: LocalSqs;
let restoreEnv: Array<() => void>;

beforeAll(async () => {
  sqs = await startLocalSqs();
  const queueUrl = await sqs.createFifoQueue('call-events');
  restoreEnv = [
    sqs.applyEnv(),
    setEnv({
      TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
      QUEUE_URL: queueUrl,
      WEBHOOK_TOLERANCE_SECONDS: undefined,
    }),
  ];
});

afterAll(async () => {
  for (const restore of restoreEnv.reverse()) restore();
  await sqs.stop();
});

afterEach(() => {
  jest.restoreAllMocks();
});

it('answers 503 when the queue server is down, after having worked', async () => {
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation(() => true);
  }
  const { handler } = await import('../../functions/ingest/handler.js');
  const invoke = (body = telnyxEvent('call.initiated')) =>
    handler(signedApiRequest(body, { keys }), lambdaContext('ingest'));
  expect((await invoke()).statusCode).toBe(200);

  await sqs.stop();
  const response = await invoke();

  expect(response.statusCode).toBe(503);
  expect(JSON.parse(response.body)).toEqual({ error: 'webhook could not be queued; retry later' });
});
