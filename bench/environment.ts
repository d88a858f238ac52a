import { closeSync, openSync, writeSync } from 'node:fs';
import { Redis } from 'ioredis';
import { interceptOutput } from '../local/capture-output.js';
import { type LocalSystem, startLocalSystem } from '../local/local-system.js';
import type { RedisServer } from '../local/redis-server.js';
import type { TelnyxSimulator } from '../local/telnyx-simulator.js';
import { loadAdmissionConfig } from '../shared/config/admission-config.js';
import { createRedisClient } from '../shared/redis/create-redis-client.js';
import { normalizeNumber } from '../shared/tenants/normalize-number.js';
import { didKey } from '../shared/tenants/resolve-tenant.js';

/** The dialed number every benchmark call uses, and the tenant it maps to. */
export const BENCH_DID = '+13125550199';
export const BENCH_TENANT = 'tenant-bench';
/** A number with no mapping: its calls are denied as not configured. */
export const UNMAPPED_DID = '+13125550111';

/**
 * What the benchmarks change in `LOCAL_HANDLER_ENV`: caps far above anything the run reaches,
 * so every call is admitted unless a measurement says otherwise, and timeouts no load reaches.
 */
const BENCH_ENV = {
  GLOBAL_CONCURRENCY_CAP: '10000000',
  TENANT_CONCURRENCY_CAP_DEFAULT: '10000000',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '10000000',
  CAPACITY_TTL_SECONDS: '3600',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  TELNYX_TIMEOUT_MS: '5000',
  POWERTOOLS_METRICS_NAMESPACE: 'Bench',
  AWS_LAMBDA_FUNCTION_NAME: '',
} as const;

/** Everything the measurements share: the local system and a Redis client of their own. */
export interface BenchEnvironment extends LocalSystem {
  readonly redisServer: RedisServer;
  readonly telnyx: TelnyxSimulator;
  /** A client of the benchmark's own (setup and INFO), separate from the worker's. */
  readonly redis: Redis;
}

/**
 * Starts the local system on a private redis-server (never the developer's 6379) and maps
 * `BENCH_DID` to `BENCH_TENANT`.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const system = await startLocalSystem({ env: BENCH_ENV });
  const { redisServer, telnyx } = system;
  if (!redisServer || !telnyx) throw new Error('expected a private Redis and the simulator');
  const redis = new Redis(redisServer.url, { protocol: 2 });
  system.onStop(() => redis.disconnect());
  await redis.set(didKey('tenantmap', normalizeNumber(BENCH_DID)), BENCH_TENANT);
  return { ...system, redisServer, telnyx, redis };
}

const stderr = process.stderr.write.bind(process.stderr);

/** Progress lines for the person running the benchmark: stderr bound at load, past the log sink. */
export function progress(line: string): void {
  stderr(`[bench] ${line}\n`);
}

/**
 * Sends the handlers' log and metric lines to /dev/null while `fn` runs: they are still
 * serialised and written (a syscall each, as in Lambda), but do not flood the terminal.
 */
export async function withLogsToDevNull<T>(fn: () => Promise<T>): Promise<T> {
  const fd = openSync('/dev/null', 'w');
  const restore = interceptOutput((chunk, _writeThrough, callback) => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk);
    callback?.();
    return true;
  });
  try {
    return await fn();
  } finally {
    restore();
    closeSync(fd);
  }
}

/** A logger that drops everything, for the product code a measurement drives directly. */
export const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/** A product Redis client (the limiter's own settings) on the benchmark's private server. */
export function benchRedisClient(env: BenchEnvironment, commandTimeoutMs: number): Redis {
  return createRedisClient(
    { redisUrl: env.redisServer.url, redisCommandTimeoutMs: commandTimeoutMs },
    { logger: QUIET },
  );
}

/** The handlers' limiter settings, caps no measurement reaches (BENCH_ENV), under `capPrefix`. */
export const uncappedLimiterSettings = (env: BenchEnvironment, capPrefix: string) => ({
  ...loadAdmissionConfig(env.env),
  capPrefix,
});

/** `INFO commandstats`: calls and server time (usec) by command. */
export async function commandStats(
  redis: Pick<Redis, 'info'>,
): Promise<Record<string, { calls: number; usec: number }>> {
  const info = await redis.info('commandstats');
  const out: Record<string, { calls: number; usec: number }> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    out[match[1] as string] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return out;
}
