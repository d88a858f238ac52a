import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CALLER_MESSAGES } from '../../shared/calls/denials.js';
import { createTenantPlanResolver } from '../../shared/tenants/resolve-tenant-plan.js';
import { tenantPlan } from '../support/tenant-plan.js';
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

/** The tenant the worker's resolution finds for `to`. */
const resolve = async (to: string) => {
  const prefixes = { tenantmapPrefix: 'tenantmap', tenantcfgPrefix: 'tenantcfg' };
  return (await createTenantPlanResolver(e2e.redis, prefixes, console)(to)).tenantId;
};

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

// Each CLI run starts a Node process; several per test outgrow the default on a busy machine.
const CLI_TESTS_MS = 120_000;

describe('npm run tenants -- config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plans-'));
  /** Writes a plan file for the CLI and returns its path. */
  const planFile = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  };

  it(
    'saves a plan that the next call through the pipeline follows, raising its revision',
    async () => {
      await tenants('map', '+13125550146', 'umbrella');
      const { revision: _omitted, ...doc } = tenantPlan('umbrella', {
        onAdmit: { type: 'hangup', say: 'Umbrella is closed today.' },
      });
      const file = planFile('umbrella.json', doc);

      const validated = await tenants('config', 'validate', 'umbrella', file);
      const first = await tenants('config', 'set', 'umbrella', file);
      const second = await tenants('config', 'set', 'umbrella', file, '--expect-revision', '1');
      const got = await tenants('config', 'get', 'umbrella');
      const { id } = await e2e.call('+13125550146');
      await e2e.finished(id);

      expect(validated).toMatchObject({
        code: 0,
        stdout: 'a valid plan for umbrella, revision 1 (nothing written)\n',
      });
      expect(first).toMatchObject({
        code: 0,
        stdout: 'umbrella: plan revision 1 saved (was none)\n',
      });
      expect(second).toMatchObject({
        code: 0,
        stdout: 'umbrella: plan revision 2 saved (was 1)\n',
      });
      expect(got.stdout).toMatch(/\numbrella: valid, revision 2\n$/);
      expect(JSON.parse(got.stdout.split('\n')[0] as string)).toMatchObject({ revision: 2 });
      expect(e2e.spoken(id)).toBe('Umbrella is closed today.');
    },
    CLI_TESTS_MS,
  );

  it(
    'refuses a stale --expect-revision and an invalid plan, naming path and rule, writing nothing',
    async () => {
      const good = planFile('good.json', tenantPlan('wayne'));
      await tenants('config', 'set', 'wayne', good);
      const bad = planFile(
        'bad.json',
        tenantPlan('wayne', { onAdmit: { type: 'transfer', to: '555' } }),
      );

      const stale = await tenants('config', 'set', 'wayne', good, '--expect-revision', '0');
      const invalid = await tenants('config', 'set', 'wayne', bad);
      const checked = await tenants('config', 'validate', 'wayne', bad);

      expect([stale.code, invalid.code, checked.code]).toEqual([2, 2, 2]);
      expect(stale.stderr).toContain('error: revision conflict: expected 0, stored 1');
      for (const result of [invalid, checked]) {
        expect(result.stderr).toContain(
          'invalid plan for wayne:\n  onAdmit.to: must be E.164 or a sip: URI',
        );
      }
      expect(JSON.parse((await e2e.redis.get('tenantcfg:wayne')) as string)).toMatchObject({
        revision: 1,
        onAdmit: { type: 'answer' },
      });
    },
    CLI_TESTS_MS,
  );
});
