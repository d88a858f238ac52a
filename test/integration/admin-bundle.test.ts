import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { buildFunction } from '../../lib/bundling.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { setEnv } from '../../local/set-env.js';
import type { AdminResponse } from '../../shared/tenants/run-admin-command.js';
import { ADMIN_ENV } from '../support/admin-function.js';
import { isolatedRedis } from '../support/redis.js';

// The deployable artifact: dist/functions/admin/index.mjs as the stack ships it.
let redis: Redis;
let outRoot: string;
let restoreEnv: () => void;
let bundle: {
  handler: (event: unknown, context: unknown) => Promise<AdminResponse>;
  shutdown: () => Promise<void>;
};

beforeAll(async () => {
  const isolated = await isolatedRedis();
  redis = isolated.redis;
  outRoot = await mkdtemp(join(tmpdir(), 'admin-bundle-'));
  restoreEnv = setEnv({ ...ADMIN_ENV, REDIS_URL: isolated.url });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation(() => true);
  }
  const { outDir } = buildFunction('admin', outRoot);
  bundle = await import(pathToFileURL(join(outDir, 'index.mjs')).href);
});

afterAll(async () => {
  await bundle?.shutdown();
  jest.restoreAllMocks();
  restoreEnv();
  redis.disconnect();
  await rm(outRoot, { recursive: true, force: true });
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
