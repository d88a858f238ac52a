import { Redis } from 'ioredis';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';
import { startCallSimulator } from './call-simulator.js';
import { type CallTimeline, createCallTimeline, type TimelineEntry } from './call-timeline.js';
import { DEFAULT_LOCAL_PORT } from './handler-env.js';
import { startHttpGateway } from './http-gateway.js';
import { localRoutes } from './local-routes.js';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from './local-system.js';
import { observeBatch, observeWebhook } from './pipeline-observers.js';
import { publishPipelineState } from './pipeline-state.js';
import { startQueuePoller } from './queue-poller.js';
import { type ReconcilerHandler, startReconcileLoop } from './reconcile-loop.js';
import { workerLogsToTimeline } from './worker-log-timeline.js';

/** How to start the local pipeline; every field has a default for `npm start`. */
export interface DevPipelineOptions extends Omit<LocalSystemOptions, 'onLog'> {
  /** Port for the webhook URL (0: a free one). Default `PORT` or 3000. */
  readonly port?: number;
  /** How long the simulated caller listens to a `speak`. */
  readonly speakMs?: number;
  /** How long an accepted simulated caller stays on the line unless told otherwise. */
  readonly defaultHangupAfterMs?: number;
  /** Publish the running pipeline for the CLIs (`npm start` does; tests do not). */
  readonly stateFile?: string;
  readonly onEntry?: (callControlId: string, entry: TimelineEntry) => void;
}

/** A running local pipeline: the local system served over HTTP and polled, with timelines. */
export interface DevPipeline extends LocalSystem {
  readonly baseUrl: string;
  readonly webhookUrl: string;
  readonly timeline: CallTimeline;
}

// Powertools Metrics prints this for every invocation that recorded no metric: noise locally,
// so other output is printed without it unless `showText` says otherwise.
const EMPTY_METRICS = 'No application metrics to publish';

/**
 * Starts the local system and serves it as AWS would: HTTP gateway -> ingest -> SQS FIFO ->
 * poller -> worker, the reconciler every RECONCILE_INTERVAL_SECONDS, with a simulated
 * caller on Telnyx's side and a timeline per call.
 */
export async function startDevPipeline(options: DevPipelineOptions = {}): Promise<DevPipeline> {
  const timeline = createCallTimeline();
  if (options.onEntry) timeline.onEntry(options.onEntry);
  const system = await startLocalSystem({
    ...options,
    // The timelines read the worker's per-event DEBUG line; printing is chosen by showLog.
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', ...options.env },
    onLog: workerLogsToTimeline(timeline),
    showText: options.showText ?? ((text: string) => !text.startsWith(EMPTY_METRICS)),
  });
  try {
    return { ...system, ...(await serve(system, timeline, options)) };
  } catch (error) {
    await system.stop().catch(() => {});
    throw error;
  }
}

/** The reconciler handler every RECONCILE_INTERVAL_SECONDS, as the stack's schedule runs it. */
async function startReconciler(system: LocalSystem): Promise<void> {
  const { handler, shutdown } = await import('../functions/reconciler/handler.js');
  system.onStop(shutdown);
  const onError = (error: unknown) => console.error('reconciler:', error);
  system.onStop(startReconcileLoop(handler as ReconcilerHandler, onError));
}

async function serve(system: LocalSystem, timeline: CallTimeline, options: DevPipelineOptions) {
  const { telnyx, env, keys } = system;
  const observer = new Redis(system.redisUrl, { protocol: 2, maxRetriesPerRequest: 1 });
  observer.on('error', () => {});
  system.onStop(() => observer.disconnect());
  let callSimulator: ReturnType<typeof startCallSimulator> | undefined;
  options.onProgress?.('webhook gateway (API Gateway stand-in)');
  const gateway = await startHttpGateway({
    port: options.port ?? Number(process.env.PORT ?? DEFAULT_LOCAL_PORT),
    ingest: system.ingest,
    onWebhook: (body, result) => observeWebhook(timeline, callSimulator, body, result),
    route: localRoutes(timeline, () => callSimulator, telnyx !== undefined),
  });
  system.onStop(() => gateway.stop());
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
    system.onStop(() => callSimulator?.stop());
  }
  // Seconds before a failed queue message is offered again.
  const retryDelaySeconds = 1;
  options.onProgress?.('queue poller (SQS event source stand-in)');
  const stopPoller = startQueuePoller({
    sqs: system.sqs.client,
    queueUrl: system.queueUrl,
    worker: system.worker,
    retryDelaySeconds,
    onBatch: (records, failed) =>
      observeBatch({ timeline, redis: observer, env, retryDelaySeconds }, records, failed),
    onError: (error) => console.error('queue poller:', error),
  });
  system.onStop(stopPoller);
  await startReconciler(system);
  if (options.stateFile) {
    const published = { baseUrl: gateway.baseUrl, webhookUrl, redisUrl: system.redisUrl, env };
    const state = { ...published, telnyx: telnyx ? ('simulator' as const) : ('api' as const) };
    system.onStop(publishPipelineState(state, options.stateFile));
  }
  return { baseUrl: gateway.baseUrl, webhookUrl, timeline };
}
