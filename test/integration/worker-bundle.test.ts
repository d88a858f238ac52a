import type { Redis } from 'ioredis';
import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import type { WorkerHandler } from '../../local/poll-once.js';
import { startTelnyxSimulator, type TelnyxSimulator } from '../../local/telnyx-simulator.js';
import { telnyxEvent } from '../../local/webhook-events.js';
import { type BuiltBundle, type LoadedBundle, loadBuiltBundle } from '../support/built-bundle.js';
import { isolatedRedis } from '../support/redis.js';

// The deployable artifact, not the sources: bundle with the one definition the stack uses,
// load the emitted index.mjs and let it set up one call against real Redis and the simulator.
let telnyx: TelnyxSimulator;
let redis: Redis;
let built: LoadedBundle<WorkerHandler>;
let bundle: BuiltBundle<WorkerHandler>;

beforeAll(async () => {
  telnyx = await startTelnyxSimulator();
  const isolated = await isolatedRedis();
  redis = isolated.redis;
  built = await loadBuiltBundle('worker', {
    REDIS_URL: isolated.url,
    GLOBAL_CONCURRENCY_CAP: '10',
    TENANT_CONCURRENCY_CAP_DEFAULT: '10',
    TENANT_CALLS_PER_MIN_CAP_DEFAULT: '10',
    CAPACITY_TTL_SECONDS: '600',
    TELNYX_API_KEY: 'KEY_bundle_test',
    TELNYX_BASE_URL: telnyx.baseUrl,
  });
  bundle = built.bundle;
});

afterAll(async () => {
  await built?.dispose();
  redis.disconnect();
  await telnyx.stop();
});

it('builds a worker bundle whose handler admits and answers a call', async () => {
  await redis.set('tenantmap:did:+13125550199', 'acme');
  const initiated = telnyxEvent('call.initiated', {
    call_control_id: 'v3:bundled',
    to: '+13125550199',
  });

  const response = await bundle.handler(sqsEvent(sqsRecord(initiated)), lambdaContext('worker'));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(telnyx.commandsFor('v3:bundled').map((c) => c.action)).toEqual(['answer']);
  expect(await redis.smembers('cap:tenant:acme:active')).toEqual(['v3:bundled']);
});
