import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../local/redis-server.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { callHelpers } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// The worker as deployed: both secrets given as ARNs and read through the Parameters and
// Secrets extension (a fake one here), which answers only once the function is invoked. The
// Redis server requires the token the extension hands out; the simulator accepts only the key.

const TELNYX_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-key';
const REDIS_TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-token';
const SECRETS: Record<string, string> = {
  [TELNYX_KEY_ARN]: 'KEY_from_the_extension',
  [REDIS_TOKEN_ARN]: 'redis-token-from-the-extension',
};
const SESSION_TOKEN = 'session-token-of-this-function';

let extension: Server;
let requests: Array<{ readonly secretId: string | null; readonly headers: IncomingHttpHeaders }>;
let redisServer: RedisServer;
let admin: Redis;
let p: Pipeline;
let did: string;

beforeAll(async () => {
  requests = [];
  extension = createServer((req, res) => {
    const secretId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('secretId');
    requests.push({ secretId, headers: req.headers });
    const value = secretId ? SECRETS[secretId] : undefined;
    if (req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN || !value) {
      res.writeHead(400).end('bad request');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ARN: secretId, SecretString: value }));
  });
  await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
  const extensionPort = (extension.address() as AddressInfo).port;

  redisServer = await startRedisServer();
  p = await startPipeline(
    {
      TELNYX_API_KEY: '',
      TELNYX_API_KEY_SECRET_ARN: TELNYX_KEY_ARN,
      REDIS_AUTH_TOKEN_SECRET_ARN: REDIS_TOKEN_ARN,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort),
      AWS_SESSION_TOKEN: SESSION_TOKEN,
    },
    { redisUrl: redisServer.url },
  );
  // The test's connection stays authenticated; the worker's, made later, must AUTH with the
  // extension's token.
  admin = p.redis;
  await admin.config('SET', 'requirepass', SECRETS[REDIS_TOKEN_ARN] as string);
  p.telnyx.acceptOnlyApiKey(SECRETS[TELNYX_KEY_ARN]);
});

afterAll(async () => {
  await p?.stop();
  await redisServer?.stop();
  await new Promise((resolve) => extension.close(resolve));
});

it('reads no secret while the function initialises (the extension does not answer then)', () => {
  expect(requests).toEqual([]);
});

it('reads both secrets through the extension on the first invocation, then admits and answers', async () => {
  did = await callHelpers(p).mapNumber('acme');
  const id = callControlId();

  await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: did }));

  expect(p.telnyx.commandsFor(id).map((c) => c.action)).toEqual(['answer']);
  expect(await admin.smembers('cap:tenant:acme:active')).toEqual([id]);
  expect(requests.map((r) => r.secretId).sort()).toEqual([REDIS_TOKEN_ARN, TELNYX_KEY_ARN].sort());
  expect(requests.every((r) => r.headers['x-aws-parameters-secrets-token'] === SESSION_TOKEN)).toBe(
    true,
  );
});

it('keeps the secrets it read: later calls ask the extension nothing', async () => {
  const before = requests.length;
  const id = callControlId();

  await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: did }));

  expect(p.telnyx.commandsFor(id).map((c) => c.action)).toEqual(['answer']);
  expect(requests.length).toBe(before);
});
