import { type LogLine, teeJsonLogs } from './capture-output.js';
import { loadOrCreateDevKeys } from './dev-keys.js';
import { handlerEnv } from './handler-env.js';
import type { IngestHandler } from './http-gateway.js';
import type { WorkerHandler } from './poll-once.js';
import { type RedisServer, startRedisServer } from './redis-server.js';
import { setEnv } from './set-env.js';
import { type LocalSqs, startLocalSqs } from './sqs-server.js';
import { startTelnyxSimulator, type TelnyxSimulator } from './telnyx-simulator.js';
import { generateSigningKeys, type SigningKeys } from './webhook-signing.js';

/** How to start the local system; every field has a default. */
export interface LocalSystemOptions {
  /**
   * Settings over `LOCAL_HANDLER_ENV`, e.g. a cap. REDIS_URL: that server (unset: a private
   * redis-server); TELNYX_API_KEY: the real API (unset: the simulator).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Also read those settings from process.env (`npm start`); tests and benchmarks do not. */
  readonly inheritEnv?: boolean;
  /** A key file to load or create (`npm start`); by default a fresh pair in memory. */
  readonly devKeysPath?: string;
  /** Sees every JSON log line the handlers write, from before they are imported. */
  readonly onLog?: (line: LogLine) => void;
  /** Which JSON log lines are also printed (default: none). */
  readonly showLog?: (line: LogLine) => boolean;
  /** Which other output is printed (default: all). */
  readonly showText?: (text: string) => boolean;
}

/** The system's services and the two real handlers, configured for them. */
export interface LocalSystem {
  readonly keys: SigningKeys;
  readonly sqs: LocalSqs;
  readonly queueUrl: string;
  readonly redisUrl: string;
  /** The private redis-server, when no REDIS_URL was given. */
  readonly redisServer: RedisServer | undefined;
  /** The simulator when Telnyx is simulated; `undefined` with the real API. */
  readonly telnyx: TelnyxSimulator | undefined;
  /** The variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
  readonly ingest: IngestHandler;
  readonly worker: WorkerHandler;
  /** Runs `step` (and what came before it) when the system stops, last registered first. */
  onStop(step: () => Promise<void> | void): void;
  stop(): Promise<void>;
}

/** The FIFO queue's name (`.fifo` appended), as in the stack. */
export const LOCAL_QUEUE_NAME = 'call-events';

let started = false;

/**
 * The one starter of the system on this machine, for `npm start`, the tests and the
 * benchmarks: local SQS FIFO, Redis, Telnyx (simulated unless TELNYX_API_KEY is set), the
 * handlers' environment pointed at them, then both real handlers imported. Once per process
 * (per test file): the handlers read their configuration when first imported.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  if (started) throw new Error('the local system can be started once per process');
  started = true;
  const source = options.inheritEnv ? { ...process.env, ...options.env } : { ...options.env };
  const cleanup: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const keys = options.devKeysPath
      ? loadOrCreateDevKeys(options.devKeysPath)
      : generateSigningKeys();
    const sqs = await startLocalSqs();
    cleanup.push(() => sqs.stop());
    const queueUrl = await sqs.createFifoQueue(LOCAL_QUEUE_NAME);
    const redisServer = source.REDIS_URL?.trim() ? undefined : await startRedisServer();
    if (redisServer) cleanup.push(() => redisServer.stop());
    const redisUrl = redisServer?.url ?? (source.REDIS_URL?.trim() as string);
    const telnyx = source.TELNYX_API_KEY?.trim() ? undefined : await startTelnyxSimulator();
    if (telnyx) cleanup.push(() => telnyx.stop());
    const env = handlerEnv(source, options.env ?? {}, {
      sqsEndpoint: sqs.endpoint,
      queueUrl,
      redisUrl,
      telnyxBaseUrl: telnyx?.baseUrl,
      publicKeyBase64: keys.publicKeyBase64,
    });
    cleanup.push(setEnv(env));
    const { onLog, showLog = () => false, showText } = options;
    if (onLog) cleanup.push(teeJsonLogs(onLog, showLog, showText));
    const ingest = (await import('../functions/ingest/handler.js')).handler as IngestHandler;
    const worker = (await import('../functions/worker/handler.js')) as unknown as {
      handler: WorkerHandler;
      shutdown(): Promise<void>;
    };
    cleanup.push(() => worker.shutdown());
    const onStop = (step: () => Promise<void> | void) => void cleanup.push(step);
    const handlers = { ingest, worker: worker.handler };
    return { keys, sqs, queueUrl, redisUrl, redisServer, telnyx, env, ...handlers, onStop, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
