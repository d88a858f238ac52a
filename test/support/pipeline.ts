import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Redis } from 'ioredis';
import type { IngestHandler } from '../../local/http-gateway.js';
import { pollOnce, type WorkerHandler } from '../../local/queue-poller.js';
import { startTelnyxSimulator, type TelnyxSimulator } from '../../local/telnyx-simulator.js';
import {
  lambdaContext,
  type SignedRequestOptions,
  signedApiRequest,
  type TelnyxWebhookBody,
} from './factories.js';
import { type LocalSqs, startLocalSqs } from './local-sqs.js';
import { isolatedRedis } from './redis.js';
import { generateTelnyxKeys, type TelnyxSigningKeys } from './signing.js';

/** The whole system on one machine around the real handlers, for end-to-end tests. */
export interface Pipeline {
  readonly keys: TelnyxSigningKeys;
  readonly telnyx: TelnyxSimulator;
  readonly redis: Redis;
  readonly sqs: LocalSqs;
  readonly queueUrl: string;
  /** Every JSON log line the handlers wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  readonly ingest: IngestHandler;
  readonly worker: WorkerHandler;
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
  stop(): Promise<void>;
}

/** Default environment: the contract's variables with small caps that tests can reach. */
export const PIPELINE_ENV = {
  GLOBAL_CONCURRENCY_CAP: '5',
  TENANT_CONCURRENCY_CAP_DEFAULT: '2',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '100',
  CAPACITY_TTL_SECONDS: '600',
  REDIS_COMMAND_TIMEOUT_MS: '300',
  TELNYX_API_KEY: 'KEY_test_not_a_secret',
  TELNYX_TIMEOUT_MS: '1000',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_DEV: '',
} as const;

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
 * Starts local SQS, the Telnyx simulator and a private Redis database, points the
 * environment at them, then imports both real handlers (once per test file).
 */
export async function startPipeline(
  env: Record<string, string> = {},
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const sqs = await startLocalSqs();
  const queueUrl = await sqs.createFifoQueue();
  const telnyx = await startTelnyxSimulator();
  const { redis, url } = options.redisUrl
    ? await ownRedis(options.redisUrl)
    : await isolatedRedis();
  const keys = generateTelnyxKeys();
  sqs.applyEnv();
  Object.assign(process.env, PIPELINE_ENV, {
    QUEUE_URL: queueUrl,
    TELNYX_PUBLIC_KEY: keys.publicKeyBase64,
    TELNYX_BASE_URL: telnyx.baseUrl,
    REDIS_URL: url,
    ...env,
  });
  const logs = captureLogs();
  const { handler: ingest } = (await import('../../functions/ingest/handler.js')) as unknown as {
    handler: IngestHandler;
  };
  const { handler: worker, shutdown } = (await import(
    '../../functions/worker/handler.js'
  )) as unknown as {
    handler: WorkerHandler;
    shutdown: () => Promise<void>;
  };

  const post: Pipeline['post'] = (body, options = { keys }) =>
    ingest(signedApiRequest(body, options), lambdaContext('ingest'));
  const drain: Pipeline['drain'] = async (maxPolls = 20) => {
    for (let i = 0; i < maxPolls; i += 1) {
      const { delivered } = await pollOnce({ sqs: sqs.client, queueUrl, worker });
      if (delivered === 0) return;
    }
  };
  return {
    keys,
    telnyx,
    redis,
    sqs,
    queueUrl,
    logs: logs.lines,
    ingest,
    worker,
    post,
    drain,
    async deliver(body) {
      const response = await post(body);
      await drain();
      return response;
    },
    logMessages: () => logs.lines.filter((l) => 'message' in l).map((l) => String(l.message)),
    async stop() {
      logs.restore();
      await shutdown();
      redis.disconnect();
      await telnyx.stop();
      await sqs.stop();
    },
  };
}

/** A client on the test's own server, flushed so the pipeline starts from nothing. */
async function ownRedis(url: string): Promise<{ redis: Redis; url: string }> {
  const redis = new Redis(url, { protocol: 2 });
  await redis.flushdb();
  return { redis, url };
}

/** Tees stdout and stderr: Powertools writes one JSON object per line (errors and warnings to stderr). */
function captureLogs(): { lines: Array<Record<string, unknown>>; restore: () => void } {
  const lines: Array<Record<string, unknown>> = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(line));
        } catch {
          // not a log line
        }
      }
      return process.env.SHOW_LOGS
        ? (originals[i] as typeof stream.write)(chunk, ...(rest as []))
        : true;
    }) as typeof stream.write;
  });
  return {
    lines,
    restore: () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}
