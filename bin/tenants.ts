import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { LOCAL_HANDLER_ENV } from '../local/handler-env.js';
import { readPipelineState } from '../local/pipeline-state.js';
import { capacityStatus } from '../local/tenant-status.js';
import { textTable } from '../local/text-table.js';
import { getPlan, setPlan, validatePlanText } from '../shared/plans/plan-admin.js';
import {
  type AdminResult,
  type CapName,
  clearCaps,
  listNumbers,
  mapNumber,
  setCaps,
  unmapNumber,
} from '../shared/tenants/tenant-admin.js';

const USAGE = `Usage: npm run tenants -- <command>

  map <number> <tenant>                         map a number (E.164: +13125550199) to a tenant
  unmap <number>                                remove a number's mapping
  set-cap <tenant> [--concurrency N] [--rpm N]  set cap overrides (positive integers)
  clear-cap <tenant> [--concurrency] [--rpm]    remove overrides (both when none is named)
  status [tenant]                               active calls, calls this minute, expired leases
  list                                          mapped numbers
  config set <tenant> <file.json> [--expect-revision N]
                                                validate and save a call plan (stored revision + 1;
                                                with --expect-revision, only if N is stored)
  config get <tenant>                           the stored call plan, and whether it is valid
  config validate <tenant> <file.json>          check a call plan file; writes nothing

Redis: REDIS_URL; when unset, the Redis of the running \`npm start\` (from .local/pipeline.json);
otherwise redis://127.0.0.1:6379. Prefixes and default caps (TENANTMAP_PREFIX, CAP_PREFIX, TENANTCFG_PREFIX,
GLOBAL_CONCURRENCY_CAP, TENANT_CONCURRENCY_CAP_DEFAULT, TENANT_CALLS_PER_MIN_CAP_DEFAULT) are read
the same way, falling back to the contract's prefixes and npm start's caps.
Exit codes: 0 done, 1 Redis unreachable or failed, 2 bad input (nothing written).`;

const state = readPipelineState();
const setting = (name: string, fallback: string): string =>
  process.env[name]?.trim() || state?.env[name] || fallback;
const redisUrl = process.env.REDIS_URL?.trim() || state?.redisUrl || 'redis://127.0.0.1:6379';
const prefixes = {
  tenantmapPrefix: setting('TENANTMAP_PREFIX', LOCAL_HANDLER_ENV.TENANTMAP_PREFIX),
  capPrefix: setting('CAP_PREFIX', LOCAL_HANDLER_ENV.CAP_PREFIX),
};
const tenantcfgPrefix = setting('TENANTCFG_PREFIX', 'tenantcfg');

/** Thrown for usage errors: printed with the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function run(argv: string[], redis: Redis): Promise<string> {
  const [command, ...rest] = argv;
  const args = (options: ParseArgsConfig['options'] = {}) => {
    try {
      return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const positionals = (count: number, max = count) => {
    const { positionals: p } = args();
    if (p.length < count || p.length > max) {
      const expected = USAGE.split('\n').find((line) => line.startsWith(`  ${command} `));
      throw new UsageError(`expected: ${expected?.trim().split(/\s{2,}/)[0] ?? command}`);
    }
    return p;
  };
  switch (command) {
    case 'map': {
      const [number, tenant] = positionals(2);
      const {
        number: n,
        tenantId,
        previous,
      } = settle(await mapNumber(redis, prefixes, number as string, tenant as string));
      return `mapped ${n} -> ${tenantId}${previous && previous !== tenantId ? ` (was ${previous})` : ''}`;
    }
    case 'unmap': {
      const { number, previous } = settle(
        await unmapNumber(redis, prefixes, positionals(1)[0] as string),
      );
      return previous ? `unmapped ${number} (was ${previous})` : `${number} was not mapped`;
    }
    case 'set-cap': {
      const { values, positionals: p } = args({
        concurrency: { type: 'string' },
        rpm: { type: 'string' },
      });
      if (p.length !== 1) throw new UsageError('set-cap: give one tenant');
      const caps = { concurrency: values.concurrency, rpm: values.rpm } as Record<CapName, string>;
      const set = settle(await setCaps(redis, prefixes, p[0] as string, caps));
      const parts = Object.entries(set).map(([name, value]) => `${name} cap ${value}`);
      return `${p[0]}: ${parts.join(', ')} (override)`;
    }
    case 'clear-cap': {
      const { values, positionals: p } = args({
        concurrency: { type: 'boolean' },
        rpm: { type: 'boolean' },
      });
      if (p.length !== 1) throw new UsageError('clear-cap: give one tenant');
      const which = (['concurrency', 'rpm'] as const).filter((n) => values[n]);
      const { cleared, removed } = settle(await clearCaps(redis, prefixes, p[0] as string, which));
      return `${p[0]}: cleared ${cleared.join(' and ')} override (${removed} removed); defaults apply`;
    }
    case 'list': {
      positionals(0);
      const rows = (await listNumbers(redis, prefixes)).map((n) => [n.number, n.tenantId]);
      return rows.length > 0 ? textTable([['NUMBER', 'TENANT'], ...rows]) : 'no numbers mapped';
    }
    case 'status':
      return status(redis, positionals(0, 1)[0]);
    case 'config':
      return config(redis, args({ 'expect-revision': { type: 'string' } }));
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

async function config(
  redis: Redis,
  { values, positionals: [action, tenant, file, ...extra] }: ReturnType<typeof parseArgs>,
): Promise<string> {
  const expected = values['expect-revision'];
  const wants = { set: 2, get: 1, validate: 2 }[String(action)];
  const given = [tenant, file].filter((p) => p !== undefined).length;
  if (wants === undefined || given !== wants || extra.length > 0)
    throw new UsageError('expected: config set|get|validate <tenant> [file.json]');
  if (expected !== undefined && (action !== 'set' || !/^\d+$/.test(String(expected))))
    throw new UsageError('--expect-revision N goes with config set (N: a whole number)');
  const text = file === undefined ? '' : readPlanFile(file);
  switch (action) {
    case 'validate':
      settle(validatePlanText(tenant as string, text));
      return `${file}: a valid plan for ${tenant} (nothing written)`;
    case 'set': {
      const options = { expectRevision: expected === undefined ? undefined : Number(expected) };
      const written = settle(
        await setPlan(redis, tenantcfgPrefix, tenant as string, text, options),
      );
      return `${tenant}: plan revision ${written.revision} saved (was ${written.previousRevision || 'none'})`;
    }
    default: {
      const found = settle(await getPlan(redis, tenantcfgPrefix, tenant as string));
      if (found.document === null) return `${tenant}: no plan (calls are answered as today)`;
      const verdict =
        found.problems.length === 0
          ? `valid, revision ${found.revision}`
          : `INVALID (the worker keeps its last valid revision):\n  ${found.problems.join('\n  ')}`;
      return `${found.document}\n${tenant}: ${verdict}`;
    }
  }
}

function readPlanFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function status(redis: Redis, tenantId: string | undefined): Promise<string> {
  const cap = (name: keyof typeof LOCAL_HANDLER_ENV & string) =>
    Number(setting(name, LOCAL_HANDLER_ENV[name]));
  const report = await capacityStatus(
    redis,
    prefixes,
    {
      globalConcurrencyCap: cap('GLOBAL_CONCURRENCY_CAP'),
      tenantConcurrencyCapDefault: cap('TENANT_CONCURRENCY_CAP_DEFAULT'),
      tenantCallsPerMinCapDefault: cap('TENANT_CALLS_PER_MIN_CAP_DEFAULT'),
    },
    tenantId,
  );
  const { global } = report;
  const header = [
    `Redis ${redisUrl}, server time ${report.serverTime.toISOString()}`,
    `global: ${global.active} active of ${global.cap}, ${global.expiredLeases} expired leases`,
  ];
  const rows = report.tenants.map((t) => [
    t.tenantId,
    t.numbers.join(',') || '-',
    `${t.active} of ${t.concurrencyCap.value} (${t.concurrencyCap.source})`,
    `${t.callsThisMinute} of ${t.rpmCap.value} (${t.rpmCap.source})`,
    t.expiredLeases,
  ]);
  const table = [['TENANT', 'NUMBERS', 'ACTIVE CALLS', 'CALLS THIS MINUTE', 'EXPIRED LEASES']];
  return [...header, rows.length > 0 ? textTable([...table, ...rows]) : 'no tenants'].join('\n');
}

/** Turns a refusal into a usage error: bad input exits 2 and nothing was written. */
function settle<T>(result: AdminResult<T>): T {
  if (!result.ok) throw new UsageError(result.error);
  return result.value;
}

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}
// Fail fast on a wrong URL instead of retrying forever: an operator is waiting.
const redis = new Redis(redisUrl, {
  protocol: 2,
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: () => null,
});
let connectionError: Error | undefined;
redis.on('error', (error: Error) => {
  connectionError = error;
});
try {
  await redis.connect();
  console.log(await run(argv, redis));
} catch (error) {
  const usage = error instanceof UsageError;
  const cause = connectionError ?? (error as Error);
  console.error(usage ? `error: ${error.message}` : `error: Redis ${redisUrl}: ${cause.message}`);
  if (usage) console.error('Run `npm run tenants -- --help` for usage.');
  process.exitCode = usage ? 2 : 1;
} finally {
  redis.disconnect();
}
