import { Redis } from 'ioredis';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';
import { startCallSimulator } from './call-simulator.js';
import { type CallTimeline, createCallTimeline, type TimelineEntry } from './call-timeline.js';
import { DEV_KEYS_PATH, loadOrCreateDevKeys } from './dev-keys.js';
import { teeJsonLogs, workerLogsToTimeline } from './handler-logs.js';
import { type IngestHandler, startHttpGateway } from './http-gateway.js';
import { applyEnv, DEFAULT_LOCAL_PORT, handlerEnv } from './local-env.js';
import { localRoutes } from './local-routes.js';
import { observeBatch, observeWebhook } from './pipeline-observers.js';
import { publishPipelineState } from './pipeline-state.js';
import type { WorkerHandler } from './queue-poller.js';
import { startQueuePoller } from './queue-poller-loop.js';
import { startRedisServer } from './redis-server.js';
import { startLocalQueue } from './sqs-server.js';
import { startTelnyxSimulator, type TelnyxSimulator } from './telnyx-simulator.js';

/** How to start the local pipeline; every field has a default for `npm start`. */
export interface DevPipelineOptions {
  /** Port for the webhook URL (0: a free one). Default `PORT` or 3000. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Variables over process.env: the contract's, REDIS_URL (unset: a private redis-server),
   * TELNYX_API_KEY (unset: the simulator) and any other handler setting.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly devKeysPath?: string;
  /** How long the simulated caller listens to a `speak`. */
  readonly speakMs?: number;
  /** How long an accepted simulated caller stays on the line unless told otherwise. */
  readonly defaultHangupAfterMs?: number;
  /** Seconds before a failed queue message is retried. */
  readonly retryDelaySeconds?: number;
  /** Which handler log lines (JSON) to print; others are only read. Default: none. */
  readonly showLog?: (line: Record<string, unknown>) => boolean;
  /** Which other output (not JSON) to print. Default: all but Powertools' empty-metrics warning. */
  readonly showText?: (text: string) => boolean;
  /** Publish the running pipeline for the CLIs (`npm start` does; tests do not). */
  readonly stateFile?: string;
  readonly onEntry?: (callControlId: string, entry: TimelineEntry) => void;
}

/** A running local pipeline. */
export interface DevPipeline {
  readonly baseUrl: string;
  readonly webhookUrl: string;
  readonly queueUrl: string;
  readonly redisUrl: string;
  /** `private` when the pipeline started its own in-memory redis-server. */
  readonly redisSource: 'private' | 'REDIS_URL';
  /** The simulator when Telnyx is simulated; `undefined` with the real API. */
  readonly telnyx: TelnyxSimulator | undefined;
  readonly timeline: CallTimeline;
  /** The variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

let started = false;

// Powertools Metrics prints this for every invocation that recorded no metric: noise locally.
const EMPTY_METRICS = 'No application metrics to publish';

/**
 * Starts the system on one machine around the real handlers: HTTP gateway -> ingest -> local
 * SQS FIFO -> poller -> worker, with Redis and Telnyx (simulated unless TELNYX_API_KEY is set).
 * Once per process: the handlers read their configuration when first imported.
 */
export async function startDevPipeline(options: DevPipelineOptions = {}): Promise<DevPipeline> {
  if (started) throw new Error('the local pipeline can be started once per process');
  started = true;
  const source = { ...process.env, ...options.env };
  const cleanup: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    const keys = loadOrCreateDevKeys(options.devKeysPath ?? DEV_KEYS_PATH);
    const queue = await startLocalQueue();
    cleanup.push(() => queue.stop());
    const ownRedis = source.REDIS_URL?.trim() ? undefined : await startRedisServer();
    if (ownRedis) cleanup.push(() => ownRedis.stop());
    const redisUrl = ownRedis?.url ?? (source.REDIS_URL?.trim() as string);
    const telnyx = source.TELNYX_API_KEY?.trim() ? undefined : await startTelnyxSimulator();
    if (telnyx) cleanup.push(() => telnyx.stop());
    const env = handlerEnv(source, options.env ?? {}, {
      queue,
      redisUrl,
      telnyxBaseUrl: telnyx?.baseUrl,
      devPublicKey: keys.publicKeyBase64,
    });
    const restoreEnv = applyEnv(env);
    cleanup.push(restoreEnv);

    const timeline = createCallTimeline();
    if (options.onEntry) timeline.onEntry(options.onEntry);
    const readWorkerLog = workerLogsToTimeline(timeline);
    const showText = options.showText ?? ((text: string) => !text.startsWith(EMPTY_METRICS));
    cleanup.push(teeJsonLogs(readWorkerLog, options.showLog ?? (() => false), showText));
    const ingest = (await import('../functions/ingest/handler.js')).handler as IngestHandler;
    const worker = (await import('../functions/worker/handler.js')) as unknown as {
      handler: WorkerHandler;
      shutdown(): Promise<void>;
    };
    cleanup.push(() => worker.shutdown());

    const observer = new Redis(redisUrl, { protocol: 2, maxRetriesPerRequest: 1 });
    observer.on('error', () => {});
    cleanup.push(() => observer.disconnect());
    const port = options.port ?? Number(source.PORT ?? DEFAULT_LOCAL_PORT);
    const host = options.host ?? '127.0.0.1';
    let callSimulator: ReturnType<typeof startCallSimulator> | undefined;
    const gateway = await startHttpGateway({
      port,
      host,
      ingest,
      onWebhook: (body, result) => observeWebhook(timeline, callSimulator, body, result),
      route: localRoutes(timeline, () => callSimulator, telnyx !== undefined),
    });
    cleanup.push(() => gateway.stop());
    const webhookUrl = `${gateway.baseUrl}${WEBHOOK_PATH}`;
    if (telnyx) {
      callSimulator = startCallSimulator({
        telnyx,
        webhookUrl,
        privateKey: keys.privateKey,
        timeline,
        speakMs: options.speakMs ?? 1500,
        defaultHangupAfterMs: options.defaultHangupAfterMs ?? 30_000,
        onError: (error) => console.error('telnyx simulator: webhook not delivered:', error),
      });
      const simulator = callSimulator;
      cleanup.push(() => simulator.stop());
    }
    const retryDelaySeconds = options.retryDelaySeconds ?? 1;
    const poller = startQueuePoller({
      sqs: queue.client,
      queueUrl: queue.queueUrl,
      worker: worker.handler,
      retryDelaySeconds,
      onBatch: (records, failed) =>
        observeBatch({ timeline, redis: observer, env, retryDelaySeconds }, records, failed),
      onError: (error) => console.error('queue poller:', error),
    });
    cleanup.push(() => poller.stop());
    if (options.stateFile) {
      const telnyxMode = telnyx ? ('simulator' as const) : ('api' as const);
      const published = { baseUrl: gateway.baseUrl, webhookUrl, redisUrl, env, telnyx: telnyxMode };
      cleanup.push(publishPipelineState(published, options.stateFile));
    }
    return {
      baseUrl: gateway.baseUrl,
      webhookUrl,
      queueUrl: queue.queueUrl,
      redisUrl,
      redisSource: ownRedis ? 'private' : 'REDIS_URL',
      telnyx,
      timeline,
      env,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
