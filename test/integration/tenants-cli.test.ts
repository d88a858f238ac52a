import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { Redis } from 'ioredis';
import { runTenantsCli, TENANT_COMMANDS, USAGE } from '../../local/tenants-cli.js';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { ADMIN_ENV, type AdminFunction, startAdminFunction } from '../support/admin-function.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { isolatedRedis } from '../support/redis.js';

// The CLI in both modes against one private Redis: directly (REDIS_URL), and through the real
// admin handler behind a mocked AWS SDK (CloudFormation, STS, Lambda Invoke).
const STACK = 'TelnyxCallAdmission';
const FUNCTION = 'TelnyxCallAdmission-AdminFunction6887E710-abc123';
const CALLER = 'arn:aws:iam::123456789012:user/ops';
const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
let redis: Redis;
let url: string;
let admin: AdminFunction;

beforeAll(async () => {
  ({ redis, url } = await isolatedRedis());
  admin = await startAdminFunction(url);
});
afterAll(async () => {
  await admin.stop();
  redis.disconnect();
});
beforeEach(async () => {
  await redis.flushdb();
  cfn.reset();
  sts.reset();
  lambda.reset();
  cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves({
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'AdminFunctionName', OutputValue: FUNCTION }],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '123456789012' });
  lambda.on(InvokeCommand, { FunctionName: FUNCTION }).callsFake(async (input) => {
    const request = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
    const answer = await admin.invoke(request);
    return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answer)) };
  });
});

/** Runs the CLI in-process; `env` is the operator's shell (no running npm start). */
async function tenants(argv: string[], env: NodeJS.ProcessEnv = { REDIS_URL: url }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTenantsCli(argv, {
    env,
    pipeline: undefined,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
const remote = (...argv: string[]) => tenants(['--stack', STACK, ...argv]);
const local = (...argv: string[]) => tenants(argv, { REDIS_URL: url, ...ADMIN_ENV });

async function admit(tenant: string, id: string) {
  const settings = {
    capPrefix: 'cap',
    tenantmapPrefix: 'tenantmap',
    globalConcurrencyCap: 40,
    tenantConcurrencyCapDefault: 4,
    tenantCallsPerMinCapDefault: 25,
    capacityTtlSeconds: 600,
  };
  await createCapacityLimiter(redis, settings, new RecordingLogger()).tryAcquire(id, tenant);
}

function file(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tenants-')), name);
  writeFileSync(path, content);
  return path;
}

describe('npm run tenants -- --stack', () => {
  it("invokes the stack's admin function as the caller, who is named in the audit line", async () => {
    const mapped = await remote('map', '+1 312 555 0199', 'acme');

    expect(mapped).toEqual({ code: 0, stdout: 'mapped +13125550199 -> acme', stderr: '' });
    expect(await redis.get('tenantmap:did:+13125550199')).toBe('acme');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(admin.auditLines().at(-1)).toMatchObject({ command: 'map', requestedBy: CALLER });
  });

  it('prints what the local mode prints, for every command', async () => {
    const csv = file('numbers.csv', 'number,tenant\n+13125550100,acme\n+13125550101,globex\n');
    const script = [
      ['map', '+13125550199', 'acme'],
      ['map', '+13125550199', 'globex'],
      ['set-cap', 'globex', '--concurrency', '5', '--rpm', '60'],
      ['status', 'globex'],
      ['clear-cap', 'globex', '--rpm'],
      ['import', csv, '--dry-run'],
      ['import', csv],
      ['list'],
      ['status'],
      ['calls', 'acme'],
      ['unmap', '+13125550199'],
      ['unmap', '+13125550199'],
    ];
    await admit('acme', 'v3:call-1');
    const outputs = async (run: (...argv: string[]) => ReturnType<typeof tenants>) => {
      await redis.del(
        'tenantmap:did:+13125550199',
        'tenantmap:did:+13125550100',
        'tenantmap:did:+13125550101',
      );
      await redis.del('tenantmap:tenant:globex:cap:concurrency');
      const results = [];
      for (const argv of script) results.push(await run(...argv));
      // Ages and server times differ between the runs by a second or two.
      return results.map((r) => ({
        ...r,
        stdout: r.stdout
          .replace(/^(Redis \S+|admin function \S+)/gm, '<target>')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
          .replace(/ \d+s /g, ' <age> '),
      }));
    };

    const viaRedis = await outputs(local);
    const viaFunction = await outputs(remote);

    expect(viaFunction).toEqual(viaRedis);
    expect(viaFunction.map((r) => r.code)).toEqual(script.map(() => 0));
    expect(viaFunction[3]?.stdout).toMatch(
      /globex\s+\+13125550199\s+0 of 5 \(override\)\s+0 of 60 \(override\)\s+0/,
    );
    expect(viaFunction[8]?.stdout).toMatch(
      /acme\s+\+13125550100\s+1 of 4 \(default\)\s+1 of 25 \(default\)/,
    );
    expect(viaFunction[9]?.stdout).toMatch(/v3:call-1\s+acme\s+<age>\s+<time>/);
  });

  it('refuses bad input with exit code 2, writing nothing', async () => {
    const results = [
      await remote('map', '555-0199', 'acme'),
      await remote('set-cap', 'acme', '--concurrency', '2', '--rpm', '1.5'),
      await remote('import', file('bad.csv', '+13125550100,acme\n+1312,acme\n')),
    ];

    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results.map((r) => r.stderr.split('\n')[0])).toEqual([
      'error: number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "555-0199"',
      'error: rpm: must be a positive integer, got "1.5"',
      'error: mappings[1].number: must be E.164 after removing whitespace (a + and 8 to 15 digits), got "+1312"',
    ]);
    expect(await redis.dbsize()).toBe(0);
  });

  it('invokes a function named with --function without reading any stack', async () => {
    const listed = await tenants(['--function', FUNCTION, 'list']);

    expect(listed).toMatchObject({ code: 0, stdout: 'no numbers mapped' });
    expect(cfn.calls()).toHaveLength(0);
  });

  it('exits 1 when the stack, its output or the function cannot be reached', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'Gone' })
      .rejects(new Error('Stack with id Gone does not exist'));
    cfn.on(DescribeStacksCommand, { StackName: 'Old' }).resolves({
      Stacks: [
        {
          StackName: 'Old',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [],
        },
      ],
    });
    lambda.on(InvokeCommand, { FunctionName: 'broken' }).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode(
        JSON.stringify({ errorMessage: 'Command timed out' }),
      ) as InvokeCommandOutput['Payload'],
    });

    const results = [
      await tenants(['--stack', 'Gone', 'list']),
      await tenants(['--stack', 'Old', 'list']),
      await tenants(['--function', 'broken', 'list']),
    ];

    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [1, 'error: stack Gone: Stack with id Gone does not exist'],
      [1, 'error: stack Old: has no AdminFunctionName output (deploy this version first)'],
      [1, 'error: admin function broken: Unhandled: Command timed out'],
    ]);
  });
});

describe('npm run tenants -- --help', () => {
  it('gives every command it accepts a line of its own', () => {
    expect(TENANT_COMMANDS).toContain('config');
    for (const name of TENANT_COMMANDS) expect(USAGE).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});

describe('npm run tenants against Redis directly', () => {
  it('does not pass off unknown defaults as real for a Redis that is not npm start', async () => {
    await redis.set('tenantmap:did:+13125550199', 'acme');

    const unknown = await tenants(['status']);
    const told = await tenants(['status'], { REDIS_URL: url, ...ADMIN_ENV });

    expect(unknown.stdout).toMatch(/global: 0 active of \? \(default unknown\)/);
    expect(unknown.stdout).toMatch(
      /acme\s+\+13125550199\s+0 of \? \(default unknown\)\s+0 of \? \(default unknown\)/,
    );
    expect(unknown.stdout).toContain('use --stack');
    expect(told.stdout).toMatch(/acme\s+\+13125550199\s+0 of 4 \(default\)\s+0 of 25 \(default\)/);
    expect(told.stdout).not.toContain('unknown');
  });

  it("takes the running npm start's defaults only for npm start's own Redis", async () => {
    const pipeline = {
      pid: 1,
      baseUrl: '',
      webhookUrl: '',
      redisUrl: url,
      telnyx: 'simulator' as const,
      env: { TENANT_CONCURRENCY_CAP_DEFAULT: '2' },
    };
    const run = async (env: NodeJS.ProcessEnv) => {
      const out: string[] = [];
      await runTenantsCli(['status', 'acme'], {
        env,
        pipeline,
        out: (t) => out.push(t),
        err: () => {},
      });
      return out.join('\n');
    };

    expect(await run({})).toMatch(/acme\s+-\s+0 of 2 \(default\)/);
    expect(await run({ REDIS_URL: `${url}?other` })).toMatch(
      /acme\s+-\s+0 of \? \(default unknown\)/,
    );
  });

  it('imports a JSON file, and a dry run of it writes nothing', async () => {
    const json = file('numbers.json', JSON.stringify([{ number: '+13125550100', tenant: 'acme' }]));

    const dry = await local('import', json, '--dry-run');
    const keysAfterDryRun = await redis.dbsize();
    const real = await local('import', json);

    expect(dry.stdout).toBe(
      'would map +13125550100 -> acme\ndry run: 1 to change, 0 unchanged; nothing written',
    );
    expect(keysAfterDryRun).toBe(0);
    expect(real.stdout).toBe('mapped +13125550100 -> acme\nimported: 1 changed, 0 unchanged');
    expect(await redis.get('tenantmap:did:+13125550100')).toBe('acme');
  });

  it('refuses an unreadable or malformed import file with exit code 2', async () => {
    const results = [
      await local('import', '/nonexistent/numbers.csv'),
      await local('import', file('bad.json', '{"number":')),
      await local('import', file('bad.csv', '+13125550100;acme\n')),
    ];

    expect(results.map((r) => [r.code, r.stderr.split('\n')[0]])).toEqual([
      [2, 'error: cannot read /nonexistent/numbers.csv: ENOENT'],
      [2, expect.stringMatching(/^error: \S+bad\.json: not valid JSON/)],
      [2, expect.stringMatching(/^error: \S+bad\.csv:1: expected "number,tenant"$/)],
    ]);
    expect(await redis.dbsize()).toBe(0);
  });

  it('lists live calls locally', async () => {
    await admit('acme', 'v3:call-9');

    const calls = await local('calls');

    expect(calls.code).toBe(0);
    expect(calls.stdout).toMatch(
      /CALL CONTROL ID\s+TENANT\s+AGE\s+LEASE EXPIRES\nv3:call-9\s+acme\s+\d+s\s+\S+Z$/,
    );
  });

  it('exits 1 when Redis is unreachable', async () => {
    const result = await tenants(['list'], { REDIS_URL: 'redis://127.0.0.1:1' });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Redis redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});
