import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { signEvents } from '../../bin/sign-events.js';
import { PROJECT_ROOT } from '../../lib/bundling.js';
import { type LocalSqs, startLocalSqs } from '../../local/sqs-server.js';
import { startTelnyxSimulator, type TelnyxSimulator } from '../../local/telnyx-simulator.js';
import { isolatedRedis } from '../support/redis.js';

// `npm run invoke` as a developer runs it: the CLI in its own process, on the built bundles,
// with an env-vars file written by bin/sign-events.ts (or none: then it starts its own
// services) and the committed sample events.
const run = promisify(execFile);
const CALL = 'v3:u5OAKGEPT3Dx8SGBrMdaWbFBUNDhyFBfwy6zc6eYaLlvD3_h-Ve9ag';
let sqs: LocalSqs;
let queueUrl: string;
let telnyx: TelnyxSimulator;
let redis: Redis;
let dir: string;
let sign: () => void;

beforeAll(async () => {
  sqs = await startLocalSqs();
  queueUrl = await sqs.createFifoQueue('invoke-events');
  telnyx = await startTelnyxSimulator();
  const isolated = await isolatedRedis();
  redis = isolated.redis;
  dir = await mkdtemp(join(tmpdir(), 'invoke-'));
  sign = () =>
    signEvents({
      eventsDir: join(PROJECT_ROOT, 'events'),
      outDir: dir,
      keysPath: join(dir, 'dev-keys.json'),
      endpoints: { queueUrl, redisUrl: isolated.url, telnyxBaseUrl: telnyx.baseUrl },
    });
  sign();
  await writeFile(join(dir, 'empty.json'), '{}');
  // Build once, so every invocation runs the current sources rather than an old dist/. The
  // committed ingest event is refused, so it leaves the queue and its deduplication ids alone.
  await invoke('worker', eventFile('worker-call-hangup.json'), '--build');
  await invoke('ingest', eventFile('ingest-call-initiated.json'), '--build');
  telnyx.commands.length = 0;
}, 60_000);

afterAll(async () => {
  redis.disconnect();
  await telnyx.stop();
  await sqs.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => redis.flushdb());

function eventFile(name: string): string {
  return join(PROJECT_ROOT, 'events', name);
}

async function invoke(
  name: 'ingest' | 'worker',
  event: string,
  ...flags: string[]
): Promise<{ code: number; response: unknown; logs: string }> {
  return invokeWith(name, event, '--env-vars', join(dir, 'env.json'), ...flags);
}

/** Invokes with env.json, `functionId`'s variables overridden by `overrides`. */
async function invokeOverriding(
  name: 'ingest' | 'worker',
  event: string,
  functionId: string,
  overrides: Record<string, string>,
): Promise<{ code: number; response: unknown; logs: string }> {
  const env = JSON.parse(await readFile(join(dir, 'env.json'), 'utf8'));
  Object.assign(env[functionId], overrides);
  const file = join(dir, `${name}-overridden.json`);
  await writeFile(file, JSON.stringify(env));
  return invokeWith(name, event, '--env-vars', file);
}

async function invokeWith(
  name: 'ingest' | 'worker',
  event: string,
  ...flags: string[]
): Promise<{ code: number; response: unknown; logs: string }> {
  const args = ['bin/invoke.ts', name, event, ...flags];
  const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  try {
    // Only what a shell would have, so nothing set by other tests in this worker leaks in.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const { stdout, stderr } = await run(tsx, args, { cwd: PROJECT_ROOT, env });
    return { code: 0, response: JSON.parse(stdout), logs: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return {
      code: failed.code,
      response: JSON.parse(failed.stdout || 'null'),
      logs: failed.stderr,
    };
  }
}

it('answers a freshly signed webhook with 200 and queues it for the worker', async () => {
  const path = join(dir, 'ingest-call-initiated.json');
  const body = JSON.parse(await readFile(path, 'utf8')).body as string;

  const { code, response } = await invoke('ingest', path);

  expect(code).toBe(0);
  expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  const messages = await sqs.receiveMessages(queueUrl);
  expect(messages.map((message) => message.Body)).toEqual([body]);
  expect(messages[0]?.Attributes).toMatchObject({
    MessageGroupId: CALL,
    MessageDeduplicationId: JSON.parse(body).data.id,
  });
});

it('refuses the committed ingest event with 401 until it is re-signed', async () => {
  const { response } = await invoke('ingest', eventFile('ingest-call-initiated.json'));

  expect(response).toMatchObject({ statusCode: 401 });
  expect(await sqs.receiveMessages(queueUrl)).toEqual([]);
});

it('admits the sample call.initiated and sends answer to Telnyx', async () => {
  await redis.set('tenantmap:did:+13125550199', 'acme');

  // A copy `npm run events` just refreshed: the committed one is past the set-up window.
  sign();
  const { code, response, logs } = await invoke('worker', join(dir, 'worker-call-initiated.json'));

  expect(code).toBe(0);
  expect(response).toEqual({ batchItemFailures: [] });
  expect(telnyx.commandsFor(CALL).map((command) => command.action)).toEqual(['answer']);
  expect(await redis.smembers('cap:tenant:acme:active')).toEqual([CALL]);
  expect(logs).toContain('"message":"call accepted"');
});

it('speaks the denial on call.answered and hangs up on call.speak.ended', async () => {
  telnyx.commands.length = 0;

  await invoke('worker', eventFile('worker-call-answered-deny.json'));
  await invoke('worker', eventFile('worker-call-speak-ended.json'));

  expect(telnyx.commandsFor(CALL).map((command) => command.action)).toEqual(['speak', 'hangup']);
});

it('prints the function error and exits 1 when the configuration is invalid', async () => {
  const { code, response } = await invoke(
    'worker',
    eventFile('worker-call-hangup.json'),
    '--env-vars',
    join(dir, 'empty.json'),
  );

  expect(code).toBe(1);
  expect(response).toMatchObject({ errorType: 'ConfigError' });
});

it('with no --env-vars, starts a queue, re-signs the ingest event and shows it queued', async () => {
  const { code, response, logs } = await invokeWith(
    'ingest',
    eventFile('ingest-call-initiated.json'),
  );

  expect(code).toBe(0);
  expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  expect(logs).toContain(`invoke: queued: call.initiated (group ${CALL})`);
});

it('with no --env-vars, answers the sample call on its own Telnyx simulator', async () => {
  const { code, response, logs } = await invokeWith(
    'worker',
    eventFile('worker-call-initiated.json'),
  );

  expect(code).toBe(0);
  expect(response).toEqual({ batchItemFailures: [] });
  expect(logs).toContain(`invoke: Telnyx simulator received: answer for ${CALL}`);
});

it('exits 1 and names the failed record when the worker cannot reach Telnyx', async () => {
  await redis.set('tenantmap:did:+13125550199', 'acme');
  sign(); // a fresh call.initiated: a stale one sets up no call and sends nothing

  const { code, response, logs } = await invokeOverriding(
    'worker',
    join(dir, 'worker-call-initiated.json'),
    'WorkerFunctionAF8A26AF',
    { TELNYX_BASE_URL: 'http://127.0.0.1:1/v2', TELNYX_TIMEOUT_MS: '300' },
  );

  expect(code).toBe(1);
  const failures = (response as { batchItemFailures: { itemIdentifier: string }[] })
    .batchItemFailures;
  expect(failures).toHaveLength(1);
  expect(logs).toContain(
    `invoke: failed: the worker failed 1 record(s), which SQS would retry: ${failures[0]?.itemIdentifier}`,
  );
}, 60_000);

it('exits 1 when ingest answers 503 because the queue is unreachable', async () => {
  const { code, response, logs } = await invokeOverriding(
    'ingest',
    join(dir, 'ingest-call-initiated.json'),
    'IngestFunctionB02ED0EB',
    {
      QUEUE_URL: 'http://127.0.0.1:1/123456789012/call-events.fifo',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1',
    },
  );

  expect(code).toBe(1);
  expect(response).toMatchObject({ statusCode: 503 });
  expect(logs).toContain('invoke: failed: ingest answered 503: the webhook was not queued');
}, 60_000);

it('npm run events writes signed copies elsewhere and leaves the committed events as they are', async () => {
  const template = await readFile(eventFile('ingest-call-initiated.json'), 'utf8');
  const out = join(dir, 'signed');

  const written = signEvents({ outDir: out, keysPath: join(dir, 'dev-keys.json') });

  expect(written).toContain(join(out, 'ingest-call-initiated.json'));
  expect(written).toContain(join(out, 'worker-call-initiated.json'));
  expect(written.every((path) => path.startsWith(out))).toBe(true);
  expect(await readFile(eventFile('ingest-call-initiated.json'), 'utf8')).toBe(template);
  const signed = JSON.parse(await readFile(written[0] as string, 'utf8'));
  expect(signed.headers['telnyx-signature-ed25519']).not.toBe(
    JSON.parse(template).headers['telnyx-signature-ed25519'],
  );
});
