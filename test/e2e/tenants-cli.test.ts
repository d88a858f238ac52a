import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CALLER_MESSAGES } from '../../shared/calls/denials.js';
import { resolveTenantId } from '../../shared/tenants/resolve-tenant.js';
import { startE2ePipeline } from './dev-pipeline-helpers.js';

const run = promisify(execFile);
let e2e: Awaited<ReturnType<typeof startE2ePipeline>>;
// A default of 3 per tenant, so a cap of 1 below can only come from the CLI's override.
beforeAll(async () => {
  e2e = await startE2ePipeline({ TENANT_CONCURRENCY_CAP_DEFAULT: '3' });
});
afterAll(() => e2e.stop());

/** Runs the real CLI binary against the pipeline's Redis; resolves with its exit code and output. */
async function tenants(...args: string[]) {
  const options = { env: { ...process.env, ...e2e.pipeline.env }, cwd: process.cwd() };
  try {
    const { stdout, stderr } = await run(
      'node',
      ['--import', 'tsx', 'bin/tenants.ts', ...args],
      options,
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const resolve = (to: string) =>
  resolveTenantId({ redis: e2e.redis, tenantmapPrefix: 'tenantmap', logger: console }, to);

describe('npm run tenants against the pipeline', () => {
  it("maps a number that the worker's resolution then finds", async () => {
    const mapped = await tenants('map', '+1 312 555 0142', 'acme');

    expect(mapped).toMatchObject({ code: 0, stdout: 'mapped +13125550142 -> acme\n' });
    expect(await e2e.redis.get('tenantmap:did:+13125550142')).toBe('acme');
    expect(await resolve(' +1312 555 0142 ')).toBe('acme');
  });

  it('sets a cap override that a real call through the pipeline meets', async () => {
    await tenants('map', '+13125550143', 'initech');
    const set = await tenants('set-cap', 'initech', '--concurrency', '1');
    const first = await e2e.call('+13125550143', 10);
    await e2e.reached(first.id, 'command', /^answer/);

    const second = await e2e.call('+13125550143');
    const story = await e2e.finished(second.id);
    const status = await tenants('status', 'initech');

    expect(set).toMatchObject({ code: 0, stdout: 'initech: concurrency cap 1 (override)\n' });
    expect(await e2e.redis.get('tenantmap:tenant:initech:cap:concurrency')).toBe('1');
    expect(e2e.spoken(second.id)).toBe(CALLER_MESSAGES.at_capacity);
    expect(story.entries.map((e) => e.detail)).toContain(
      'tenant initech: capacity denied (tenant_at_capacity)',
    );
    expect(status.stdout).toMatch(
      /initech\s+\+13125550143\s+1 of 1 \(override\)\s+\d of 100 \(default\)\s+0/,
    );
  });

  it('unmaps a number, after which a call to it is not configured', async () => {
    await tenants('map', '+13125550144', 'hooli');

    const unmapped = await tenants('unmap', '+13125550144');
    const { id } = await e2e.call('+13125550144');
    await e2e.finished(id);

    expect(unmapped).toMatchObject({ code: 0, stdout: 'unmapped +13125550144 (was hooli)\n' });
    expect(await resolve('+13125550144')).toBeNull();
    expect(e2e.spoken(id)).toBe(CALLER_MESSAGES.not_configured);
  });

  // Five CLI processes at once: slow on a loaded machine, and only the outcome is asserted.
  it('refuses bad input with exit code 2 and a clear message, writing nothing', async () => {
    // Only the admin keys: calls from other tests may still release capacity keys meanwhile.
    const adminKeys = async () => (await e2e.redis.keys('tenantmap:*')).sort();
    const before = await adminKeys();

    const results = await Promise.all([
      tenants('map', '555-0199', 'acme'),
      tenants('map', '+13125550145', 'ac:me'),
      tenants('set-cap', 'acme', '--rpm', '0'),
      tenants('set-cap', 'acme', '--concurrency', '2', '--rpm', '1.5'),
      tenants('frobnicate'),
    ]);

    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results.map((r) => r.stderr.split('\n')[0])).toEqual([
      'error: number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "555-0199"',
      `error: tenant: must be a non-empty id without ':' or whitespace, got "ac:me"`,
      'error: rpm: must be a positive integer, got "0"',
      'error: rpm: must be a positive integer, got "1.5"',
      'error: unknown command "frobnicate"',
    ]);
    expect(await adminKeys()).toEqual(before);
  }, 90_000);
});
