import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Redis } from 'ioredis';
import { lambdaContext } from '../../local/lambda-context.js';
import { type SignedRequestOptions, signedApiRequest } from '../../local/lambda-events.js';
import { type LocalSystem, startLocalSystem } from '../../local/local-system.js';
import { pollOnce } from '../../local/poll-once.js';
import type { TelnyxSimulator } from '../../local/telnyx-simulator.js';
import type { TelnyxWebhookBody } from '../../local/webhook-events.js';
import { isolatedRedis } from './redis.js';

/** The local system driven step by step (no HTTP, no poll loop), for integration and fault tests. */
export interface Pipeline extends LocalSystem {
  readonly telnyx: TelnyxSimulator;
  /** A client on the worker's Redis database, for setup and assertions. */
  readonly redis: Redis;
  /** Every JSON log line the handlers wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Posts a webhook to the ingest handler, signed with `keys` unless told otherwise. */
  post(
    body: TelnyxWebhookBody | string,
    options?: SignedRequestOptions,
  ): Promise<APIGatewayProxyStructuredResultV2>;
  /** Lets the worker consume the queue until it is empty (failed messages are retried). */
  drain(maxPolls?: number): Promise<void>;
  /** `post` then `drain`: one webhook through the whole system. */
  deliver(body: TelnyxWebhookBody): Promise<APIGatewayProxyStructuredResultV2>;
  logMessages(): string[];
}

/** How `startPipeline` builds the system, beyond the handlers' environment. */
export interface PipelineOptions {
  /**
   * A Redis server of the test's own (e.g. one it stops or pauses): the worker and the
   * `redis` handle both use it, flushed first. By default both use an isolated database on
   * the shared test server.
   */
  readonly redisUrl?: string;
}

/**
 * Starts the local system (`LOCAL_HANDLER_ENV` plus `env`) on a private Redis database, its
 * handlers' logs captured (SHOW_LOGS=1 prints them). Once per test file.
 */
export async function startPipeline(
  env: Record<string, string> = {},
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const { redis, url } = options.redisUrl
    ? await ownRedis(options.redisUrl)
    : await isolatedRedis();
  const logs: Array<Record<string, unknown>> = [];
  const shown = () => Boolean(process.env.SHOW_LOGS);
  const system = await startLocalSystem({
    env: { REDIS_URL: url, ...env },
    onLog: (line) => logs.push(line),
    showLog: shown,
    showText: shown,
  });
  const { telnyx, sqs, queueUrl, worker } = system;
  if (!telnyx) throw new Error('expected the Telnyx simulator');
  const post: Pipeline['post'] = (body, options = { keys: system.keys }) =>
    system.ingest(signedApiRequest(body, options), lambdaContext('ingest'));
  const drain: Pipeline['drain'] = async (maxPolls = 20) => {
    for (let i = 0; i < maxPolls; i += 1) {
      const { delivered } = await pollOnce({ sqs: sqs.client, queueUrl, worker });
      if (delivered === 0) return;
    }
  };
  return {
    ...system,
    telnyx,
    redis,
    logs,
    post,
    drain,
    async deliver(body) {
      const response = await post(body);
      await drain();
      return response;
    },
    logMessages: () => logs.filter((l) => 'message' in l).map((l) => String(l.message)),
    async stop() {
      await system.stop();
      redis.disconnect();
    },
  };
}

/**
 * One pipeline for the test file (`startPipeline(env)`), handed to `onStart`, emptied (Redis
 * and logs) before each test and stopped after the last.
 */
export function usePipeline(
  onStart: (pipeline: Pipeline) => void,
  env: Record<string, string> = {},
): void {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline(env);
    onStart(pipeline);
  });
  afterAll(() => pipeline.stop());
  beforeEach(async () => {
    await pipeline.redis.flushdb();
    pipeline.logs.length = 0;
  });
}

/** A client on the test's own server, flushed so the pipeline starts from nothing. */
async function ownRedis(url: string): Promise<{ redis: Redis; url: string }> {
  const redis = new Redis(url, { protocol: 2 });
  await redis.flushdb();
  return { redis, url };
}
