import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { buildFunction } from '../../lib/bundling.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { signedApiRequest } from '../../local/lambda-events.js';
import { setEnv } from '../../local/set-env.js';
import { type LocalSqs, startLocalSqs } from '../../local/sqs-server.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { generateSigningKeys } from '../../local/webhook-signing.js';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<{ statusCode: number; body: string }>;

// The deployable artifact, not the sources: bundle with the one definition the stack uses,
// load the emitted index.mjs and invoke its handler once against a local queue.
const keys = generateSigningKeys();
let sqs: LocalSqs;
let outRoot: string;
const restoreEnv: Array<() => void> = [];

beforeAll(async () => {
  sqs = await startLocalSqs();
  outRoot = await mkdtemp(join(tmpdir(), 'ingest-bundle-'));
});

afterAll(async () => {
  jest.restoreAllMocks();
  for (const restore of restoreEnv.reverse()) restore();
  await sqs.stop();
  await rm(outRoot, { recursive: true, force: true });
});

it('builds an ingest bundle whose handler verifies and queues a webhook', async () => {
  const queueUrl = await sqs.createFifoQueue('bundle-events');
  restoreEnv.push(
    sqs.applyEnv(),
    setEnv({
      TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
      QUEUE_URL: queueUrl,
      WEBHOOK_TOLERANCE_SECONDS: undefined,
    }),
  );
  const { outDir } = buildFunction('ingest', outRoot);
  // Names are kept, so a stack trace from the deployed code reads without source maps.
  expect(await readFile(join(outDir, 'index.mjs'), 'utf8')).toContain(
    'function createSignatureVerifier(',
  );
  // node:http is required, never ES-imported (its ES facade loads undici at cold start).
  const files = (await readdir(outDir, { recursive: true })).filter((f) => f.endsWith('.mjs'));
  const code = await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')));
  expect(code.join('\n')).toContain('getBuiltinModule("node:http")');
  expect(code.join('\n')).not.toMatch(/from\s*"(node:)?http"/);
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation(() => true);
  }
  const bundle = (await import(pathToFileURL(join(outDir, 'index.mjs')).href)) as {
    handler: Handler;
  };
  const body = JSON.stringify(
    telnyxEvent('call.initiated', { call_control_id: 'v3:bundled' }, { id: 'bundle-event-1' }),
  );

  const response = await bundle.handler(signedApiRequest(body, { keys }), lambdaContext('ingest'));

  expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  const messages = await sqs.receiveMessages(queueUrl);
  expect(messages.map((message) => message.Body)).toEqual([body]);
  expect(messages[0]?.Attributes).toMatchObject({
    MessageGroupId: 'v3:bundled',
    MessageDeduplicationId: 'bundle-event-1',
  });
});
