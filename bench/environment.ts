import { closeSync, openSync, writeSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { IngestHandler } from '../local/http-gateway.js';
import type { WorkerHandler } from '../local/queue-poller.js';
import { startTelnyxSimulator, type TelnyxSimulator } from '../local/telnyx-simulator.js';
import { normalizeNumber } from '../shared/tenants/normalize-number.js';
import { didKey } from '../shared/tenants/resolve-tenant.js';
import { type LocalSqs, startLocalSqs } from '../test/support/local-sqs.js';
import { type RedisServer, startRedisServer } from '../test/support/redis-server.js';
import { generateTelnyxKeys, type TelnyxSigningKeys } from '../test/support/signing.js';

export type { IngestHandler } from '../local/http-gateway.js';
export type { WorkerHandler } from '../local/queue-poller.js';

/** The dialed number every benchmark call uses, and the tenant it maps to. */
export const BENCH_DID = '+13125550199';
export const BENCH_TENANT = 'tenant-bench';
/** A number with no mapping: its calls are denied as not configured. */
export const UNMAPPED_DID = '+13125550111';

/**
 * The handlers' environment. Caps are far above anything the run reaches so every call is
 * admitted unless a measurement says otherwise; metrics and INFO logs stay on, as in Lambda.
 */
const HANDLER_ENV = {
  GLOBAL_CONCURRENCY_CAP: '10000000',
  TENANT_CONCURRENCY_CAP_DEFAULT: '10000000',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '10000000',
  CAPACITY_TTL_SECONDS: '3600',
  REDIS_COMMAND_TIMEOUT_MS: '2000',
  TELNYX_API_KEY: 'KEY_bench_not_a_secret',
  TELNYX_TIMEOUT_MS: '5000',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'Bench',
  POWERTOOLS_DEV: '',
  AWS_LAMBDA_FUNCTION_NAME: '',
} as const;

/** Everything the measurements share: private servers, keys and the two real handlers. */
export interface BenchEnvironment {
  readonly redisServer: RedisServer;
  /** A client of the benchmark's own (setup and INFO), separate from the worker's. */
  readonly redis: Redis;
  readonly sqs: LocalSqs;
  readonly queueUrl: string;
  readonly telnyx: TelnyxSimulator;
  readonly keys: TelnyxSigningKeys;
  readonly env: Readonly<Record<string, string>>;
  readonly ingest: IngestHandler;
  readonly worker: WorkerHandler;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server (never the developer's 6379), local-aws-sqs and the Telnyx
 * simulator on loopback, points the environment at them, then imports both real handlers.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const redisServer = await startRedisServer();
  const sqs = await startLocalSqs();
  const queueUrl = await sqs.createFifoQueue('bench');
  const telnyx = await startTelnyxSimulator();
  const keys = generateTelnyxKeys();
  const redis = new Redis(redisServer.url, { protocol: 2 });
  await redis.set(didKey('tenantmap', normalizeNumber(BENCH_DID)), BENCH_TENANT);
  const restoreSqsEnv = sqs.applyEnv();
  const env: Record<string, string> = {
    ...HANDLER_ENV,
    QUEUE_URL: queueUrl,
    TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
    TELNYX_BASE_URL: telnyx.baseUrl,
    REDIS_URL: redisServer.url,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  Object.assign(process.env, env);
  const ingestModule = await import('../functions/ingest/handler.js');
  const workerModule = await import('../functions/worker/handler.js');
  return {
    redisServer,
    redis,
    sqs,
    queueUrl,
    telnyx,
    keys,
    env,
    ingest: ingestModule.handler as unknown as IngestHandler,
    worker: workerModule.handler as unknown as WorkerHandler,
    async stop() {
      await workerModule.shutdown();
      redis.disconnect();
      await telnyx.stop();
      await sqs.stop();
      restoreSqsEnv();
      await redisServer.stop();
    },
  };
}

/** Progress lines for the person running the benchmark (stderr, past the log sink). */
export const progress: (line: string) => void = (() => {
  const write = process.stderr.write.bind(process.stderr);
  return (line: string) => {
    write(`[bench] ${line}\n`);
  };
})();

/**
 * Sends the handlers' log and metric lines to /dev/null while `fn` runs: they are still
 * serialised and written (a syscall each, as in Lambda), but do not flood the terminal.
 */
export async function withLogsToDevNull<T>(fn: () => Promise<T>): Promise<T> {
  const fd = openSync('/dev/null', 'w');
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    return await fn();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
    closeSync(fd);
  }
}
