import { type LogLine, teeJsonLogs } from './capture-output.js';
import { loadOrCreateDevKeys } from './dev-keys.js';
import { envOr, LOCAL_HANDLER_ENV } from './handler-env.js';
import type { IngestHandler } from './http-gateway.js';
import type { WorkerHandler } from './poll-once.js';
import { type RedisServer, startRedisServer } from './redis-server.js';
import { setEnv } from './set-env.js';
import { LOCAL_AWS_ENV, type LocalSqs, startLocalSqs } from './sqs-server.js';
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
  /** Called before each part starts, with its name (`npm start` shows them as progress). */
  readonly onProgress?: (part: string) => void;
}

/** The services the handlers talk to on this machine, without the handlers. */
export interface LocalServices {
  readonly keys: SigningKeys;
  readonly sqs: LocalSqs;
  readonly queueUrl: string;
  readonly redisUrl: string;
  /** The private redis-server, when no REDIS_URL was given. */
  readonly redisServer: RedisServer | undefined;
  /** The simulator when Telnyx is simulated; `undefined` with the real API. */
  readonly telnyx: TelnyxSimulator | undefined;
  /** Runs `step` (and what came before it) when the system stops, last registered first. */
  onStop(step: () => Promise<void> | void): void;
  stop(): Promise<void>;
}

/** The system's services and the two real handlers, configured for them. */
export interface LocalSystem extends LocalServices {
  /** The variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
  readonly ingest: IngestHandler;
  readonly worker: WorkerHandler;
}

/** The FIFO queue's name (`.fifo` appended), as in the stack. */
export const LOCAL_QUEUE_NAME = 'call-events';

/**
 * Starts what the functions need around them: local SQS with the FIFO queue, Redis (a
 * private redis-server unless REDIS_URL is given) and the Telnyx simulator (unless
 * TELNYX_API_KEY is given), plus the signing keys. `npm run invoke` uses them alone.
 */
export async function startLocalServices(
  options: Pick<LocalSystemOptions, 'env' | 'inheritEnv' | 'devKeysPath' | 'onProgress'> = {},
): Promise<LocalServices> {
  const { devKeysPath, onProgress = () => {} } = options;
  const source = settingsOf(options);
  const cleanup: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  const onStop = (step: () => Promise<void> | void) => void cleanup.push(step);
  try {
    const keys = devKeysPath ? loadOrCreateDevKeys(devKeysPath) : generateSigningKeys();
    onProgress('SQS FIFO queue (local-aws-sqs)');
    const sqs = await startLocalSqs();
    onStop(() => sqs.stop());
    const queueUrl = await sqs.createFifoQueue(LOCAL_QUEUE_NAME);
    const ownRedis = source.REDIS_URL?.trim();
    if (!ownRedis) onProgress('Redis (private redis-server)');
    const redisServer = ownRedis ? undefined : await startRedisServer();
    if (redisServer) onStop(() => redisServer.stop());
    const redisUrl = redisServer?.url ?? (ownRedis as string);
    const simulated = !source.TELNYX_API_KEY?.trim();
    if (simulated) onProgress('Telnyx Call Control simulator');
    const telnyx = simulated ? await startTelnyxSimulator() : undefined;
    if (telnyx) onStop(() => telnyx.stop());
    return { keys, sqs, queueUrl, redisUrl, redisServer, telnyx, onStop, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

let started = false;

/**
 * The one starter of the system on this machine, for `npm start`, the tests and the
 * benchmarks: the local services, the handlers' environment pointed at them, then both real
 * handlers imported. Once per process (per test file): the handlers read their configuration
 * when first imported.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  if (started) throw new Error('the local system can be started once per process');
  started = true;
  const services = await startLocalServices(options);
  const { onStop, stop } = services;
  try {
    const env = handlerEnv(options, services);
    onStop(setEnv(env));
    const { onLog, showLog = () => false, showText } = options;
    if (onLog) onStop(teeJsonLogs(onLog, showLog, showText));
    options.onProgress?.('ingest and worker handlers');
    const ingest = (await import('../functions/ingest/handler.js')).handler;
    const { handler, shutdown } = await import('../functions/worker/handler.js');
    onStop(shutdown);
    return { ...services, env, ingest, worker: handler };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** The settings the system reads: `options.env`, over process.env when inherited. */
function settingsOf(options: Pick<LocalSystemOptions, 'env' | 'inheritEnv'>) {
  return options.inheritEnv ? { ...process.env, ...options.env } : { ...options.env };
}

/**
 * The handlers' environment: `LOCAL_HANDLER_ENV` with values from the settings where set, the
 * local services, then every `options.env` entry. Throws when the real Telnyx
 * API is chosen without the account's public key, as ingest could verify nothing.
 */
function handlerEnv(options: LocalSystemOptions, services: LocalServices): Record<string, string> {
  const source = settingsOf(options);
  const env: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(LOCAL_HANDLER_ENV)) {
    env[name] = envOr(source, name, fallback);
  }
  Object.assign(env, {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_SQS: services.sqs.endpoint,
    QUEUE_URL: services.queueUrl,
    REDIS_URL: services.redisUrl,
  });
  if (services.telnyx) {
    env.TELNYX_API_KEY = 'KEY_local_simulator';
    env.TELNYX_BASE_URL = services.telnyx.baseUrl;
    // The simulator signs its webhooks with the dev key.
    env.TELNYX_PUBLIC_KEY = services.keys.publicKeyBase64;
  } else if (!source.TELNYX_PUBLIC_KEY?.trim()) {
    throw new Error(
      "TELNYX_API_KEY is set, so the real Telnyx API is used: set TELNYX_PUBLIC_KEY to your account's public key (Mission Control > Keys & Credentials > Public Key)",
    );
  }
  // The caller's own settings win, even over a service (e.g. a Telnyx URL where nothing listens).
  const overrides = Object.entries(options.env ?? {});
  for (const [name, value] of overrides) if (value !== undefined) env[name] = value;
  return env;
}
