import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ADMIN_FUNCTION_OUTPUT } from '../lib/stack-outputs.js';
import { formatAdminResult } from './admin-output.js';
import { type AdminTarget, AdminUnreachableError, redisTarget } from './admin-targets.js';
import { readMappingsFile } from './mappings-file.js';
import type { PipelineState } from './pipeline-state.js';

/** Thrown for bad command lines: printed with a pointer to the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One CLI command: its usage line and how its arguments become the admin request's fields. */
const cli = (
  usage: string,
  request: (positionals: string[], values: Values) => Promise<Record<string, unknown>>,
  options: ParseArgsConfig['options'] = {},
) => ({ usage, request, options });

type CliCommand = ReturnType<typeof cli>;

/** The admin commands' command-line forms; the request shapes are the admin function's. */
const COMMANDS: Record<string, CliCommand> = {
  map: cli('map <number> <tenant>', async ([number, tenant]) => ({ number, tenant })),
  unmap: cli('unmap <number>', async ([number]) => ({ number })),
  'set-cap': cli(
    'set-cap <tenant> [--concurrency N] [--rpm N]',
    async ([tenant], { concurrency, rpm }) => ({ tenant, concurrency, rpm }),
    { concurrency: { type: 'string' }, rpm: { type: 'string' } },
  ),
  'clear-cap': cli(
    'clear-cap <tenant> [--concurrency] [--rpm]',
    async ([tenant], { concurrency, rpm }) => ({ tenant, concurrency, rpm }),
    { concurrency: { type: 'boolean' }, rpm: { type: 'boolean' } },
  ),
  status: cli('status [tenant]', async ([tenant]) => ({ tenant })),
  calls: cli('calls [tenant]', async ([tenant]) => ({ tenant })),
  list: cli('list', async () => ({})),
  import: cli(
    'import <file.csv|file.json> [--dry-run]',
    async ([file], values) => ({
      mappings: await readMappingsFile(file as string).catch((error: Error) => {
        throw new UsageError(error.message);
      }),
      dryRun: values['dry-run'] === true,
    }),
    { 'dry-run': { type: 'boolean' } },
  ),
  config: cli(
    'config <set|get|validate> <tenant> [file.json] [--expect-revision N]',
    async ([action, tenant, file], values) => {
      if (action !== 'set' && action !== 'get' && action !== 'validate')
        throw new UsageError('expected: config set|get|validate <tenant> [file.json]');
      if ((action === 'get') !== (file === undefined))
        throw new UsageError(
          `config ${action}: ${action === 'get' ? 'no file' : 'give a plan file'}`,
        );
      const expected = values['expect-revision'];
      if (expected !== undefined && (action !== 'set' || !/^\d+$/.test(String(expected))))
        throw new UsageError('--expect-revision N goes with config set (N: a whole number)');
      const plan =
        file === undefined
          ? undefined
          : await readFile(file, 'utf8').catch((error: Error) => {
              throw new UsageError(`cannot read ${file}: ${error.message}`);
            });
      return {
        command: `config-${action}`,
        tenant,
        ...(plan === undefined ? {} : { plan }),
        ...(expected === undefined ? {} : { expectRevision: Number(expected) }),
      };
    },
    { 'expect-revision': { type: 'string' } },
  ),
};

/** The command names the CLI accepts (each has its line in `USAGE`). */
export const TENANT_COMMANDS = Object.keys(COMMANDS);

export const USAGE = `Usage: npm run tenants -- [--stack <StackName> | --function <name>] <command>

  map <number> <tenant>                         map a number (E.164: +13125550199) to a tenant
  unmap <number>                                remove a number's mapping
  set-cap <tenant> [--concurrency N] [--rpm N]  set cap overrides (positive integers)
  clear-cap <tenant> [--concurrency] [--rpm]    remove overrides (both when none is named)
  status [tenant]                               active calls and calls this minute against caps
  calls [tenant]                                live calls holding slots: id, age, lease expiry
  list                                          mapped numbers
  import <file.csv|file.json> [--dry-run]       map many numbers (number,tenant), all or nothing
  config set|get|validate <tenant> [plan.json]  a tenant's call plan: store, read, or check a file
                                                (set takes --expect-revision N; docs/tenant-plans.md)

--stack: the deployed stack's admin function (its ${ADMIN_FUNCTION_OUTPUT} output), invoked with your
AWS credentials (default chain, AWS_REGION/AWS_PROFILE); --function names the function itself.
Neither: Redis directly, at REDIS_URL, else the running \`npm start\`'s, else redis://127.0.0.1:6379;
prefixes and default caps (TENANTMAP_PREFIX, CAP_PREFIX, TENANTCFG_PREFIX,
GLOBAL_CONCURRENCY_CAP, TENANT_CONCURRENCY_CAP_DEFAULT, TENANT_CALLS_PER_MIN_CAP_DEFAULT,
CAPACITY_TTL_SECONDS) from the environment, else npm start's when it is that Redis, else unknown.
Exit codes: 0 done, 1 target unreachable or failed, 2 bad input (nothing written).`;

/** What the CLI runs with; tests pass their own environment and capture the output. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly pipeline: PipelineState | undefined;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs `npm run tenants` with `argv`; resolves with the exit code. */
export async function runTenantsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let target: AdminTarget | undefined;
  try {
    const { where, rest } = splitTarget(argv);
    const [name, ...args] = rest;
    if (!name) throw new UsageError('no command given');
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const { positionals, values } = parse(command, args);
    const request = { command: name, ...(await command.request(positionals, values)) };
    // The AWS SDK loads only for --stack/--function: local commands start faster without it.
    target = where
      ? await (await import('./lambda-target.js')).lambdaTarget(where)
      : await redisTarget(io.env, io.pipeline);
    const response = await target.send(request);
    if (!response.ok) throw new UsageError(response.error);
    io.out(formatAdminResult(String(request.command), response.result, target.label));
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof AdminUnreachableError)) throw error;
    io.err(`error: ${error.message}`);
    if (error instanceof UsageError) io.err('Run `npm run tenants -- --help` for usage.');
    return error instanceof UsageError ? 2 : 1;
  } finally {
    target?.close();
  }
}

/** Takes `--stack X` / `--function X` (anywhere in argv) out of the command's arguments. */
function splitTarget(argv: readonly string[]) {
  const rest: string[] = [];
  const where: { stack?: string; functionName?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split(/=(.*)/s) as [string, string | undefined];
    if (flag !== '--stack' && flag !== '--function') {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (!value) throw new UsageError(`${flag} needs a name`);
    where[flag === '--stack' ? 'stack' : 'functionName'] = value;
  }
  if (where.stack && where.functionName)
    throw new UsageError('give --stack or --function, not both');
  return { where: where.stack || where.functionName ? where : undefined, rest };
}

function parse(command: CliCommand, args: string[]) {
  let parsed: { positionals: string[]; values: Values };
  try {
    parsed = parseArgs({ args, options: command.options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const words = command.usage.split(' ');
  const wanted = words.filter((word) => /^<.+>$/.test(word)).length;
  const optional = words.filter((word) => /^\[[a-z]/.test(word)).length;
  const count = parsed.positionals.length;
  if (count < wanted || count > wanted + optional)
    throw new UsageError(`expected: ${command.usage}`);
  return parsed;
}
