import type { Redis } from 'ioredis';
import { lambdaContext } from '../../local/lambda-context.js';
import type { AdminResponse } from '../../shared/tenants/run-admin-command.js';
import { ADMIN_ENV } from '../support/admin-function.js';
import { type BuiltBundle, type LoadedBundle, loadBuiltBundle } from '../support/built-bundle.js';
import { isolatedRedis } from '../support/redis.js';

// The deployable artifact: dist/functions/admin/index.mjs as the stack ships it.
let redis: Redis;
let built: LoadedBundle<AdminHandler>;
let bundle: BuiltBundle<AdminHandler>;
type AdminHandler = (event: unknown, context: unknown) => Promise<AdminResponse>;

beforeAll(async () => {
  const isolated = await isolatedRedis();
  redis = isolated.redis;
  built = await loadBuiltBundle('admin', { ...ADMIN_ENV, REDIS_URL: isolated.url });
  bundle = built.bundle;
});

afterAll(async () => {
  await built?.dispose();
  redis.disconnect();
});

it('builds an admin bundle whose handler maps a number and reports the configured caps', async () => {
  const mapped = await bundle.handler(
    { command: 'map', number: '+13125550199', tenant: 'acme' },
    lambdaContext('admin'),
  );
  const status = await bundle.handler(
    { command: 'status', tenant: 'acme' },
    lambdaContext('admin'),
  );

  expect(mapped).toMatchObject({ ok: true, result: { number: '+13125550199', tenant: 'acme' } });
  expect(await redis.get('tenantmap:did:+13125550199')).toBe('acme');
  expect(status).toMatchObject({
    ok: true,
    result: { global: { cap: 40 }, tenants: [{ concurrencyCap: { value: 4, source: 'default' } }] },
  });
});
