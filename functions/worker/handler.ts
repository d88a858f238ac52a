import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { powertoolsCallMetrics } from '../../shared/calls/powertools-call-metrics.js';
import { processQueueRecord } from '../../shared/calls/process-queue-record.js';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { ENV_NAMES } from '../../shared/config/env-names.js';
import { resolveSecret } from '../../shared/config/resolve-secret.js';
import { secretNeedsInvocation, secretSource } from '../../shared/config/secret-source.js';
import { loadWorkerConfig } from '../../shared/config/worker-config.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createPlanLoader } from '../../shared/plans/plan-loader.js';
import { createRecordRetrier } from '../../shared/queue/retry-failed-records.js';
import { createRedisClient } from '../../shared/redis/create-redis-client.js';
import { retryUntilMade } from '../../shared/retry-until-made.js';
import { createTelnyxClient } from '../../shared/telnyx/create-telnyx-client.js';
import { createTelnyxCallControl } from '../../shared/telnyx/telnyx-call-control.js';
import { rotatingClientSource } from '../../shared/telnyx/telnyx-client-source.js';
import { createTenantPlanResolver } from '../../shared/tenants/resolve-tenant-plan.js';

// Everything below runs once per container (cold start); a bad environment fails here,
// naming every offending variable.
const config = loadWorkerConfig();
const logger = createLogger('worker');
const metrics = new Metrics({
  namespace: process.env[ENV_NAMES.metricsNamespace] ?? METRICS_NAMESPACE,
  serviceName: 'worker',
  // Most events record no metric, and Metrics warns about that on every flush: keep its
  // own chatter structured and at debug level instead of a plain-text line per batch.
  logger: {
    debug: (...content: unknown[]) => logger.debug(String(content[0])),
    info: (...content: unknown[]) => logger.debug(String(content[0])),
    warn: (...content: unknown[]) => logger.debug(String(content[0])),
    error: (...content: unknown[]) => logger.error(String(content[0])),
  },
});
// The API key is read again after its maximum age and at once after a 401, so a key rotated
// in Secrets Manager takes effect without a redeploy.
const telnyxApiKey = secretSource(
  config.telnyxApiKey,
  config.telnyxApiKeySecretArn,
  config.telnyxApiKeyMaxAgeSeconds,
);
const telnyxClients = rotatingClientSource(telnyxApiKey, (apiKey) =>
  createTelnyxClient({ apiKey, timeoutMs: config.telnyxTimeoutMs, maxRetries: 2 }),
);
const callMetrics = powertoolsCallMetrics(metrics);

/** The Redis client and the call flow's dependencies, made once the secrets can be read. */
async function connect() {
  // Both reads first: a failed read leaves no Redis connection behind for the retry to add to.
  const [redisAuthToken] = await Promise.all([
    resolveSecret(config.redisAuthToken, config.redisAuthTokenSecretArn),
    telnyxClients.current(),
  ]);
  const redis = createRedisClient(config, { authToken: redisAuthToken, logger });
  const deps = {
    logger,
    metrics: callMetrics,
    limiter: createCapacityLimiter(redis, config, logger),
    callControl: createTelnyxCallControl(telnyxClients, {
      voice: config.speakVoice,
      language: config.speakLanguage,
    }),
    resolveTenant: createTenantPlanResolver(redis, config, logger, callMetrics),
    plans: createPlanLoader({
      redis,
      tenantcfgPrefix: config.tenantcfgPrefix,
      logger,
      metrics: callMetrics,
    }),
  };
  return { redis, deps };
}

// Made at init, as early as possible, when the secrets are plain values or read through the
// SDK. In AWS they come through the Parameters and Secrets extension, which answers only once
// the function is invoked: then the first invocation makes them (a failure fails that batch
// and the next invocation tries again).
const connection = retryUntilMade(connect);
const readAtInvocation =
  secretNeedsInvocation(config.redisAuthTokenSecretArn, config.redisAuthToken) ||
  secretNeedsInvocation(config.telnyxApiKeySecretArn, config.telnyxApiKey);
if (!readAtInvocation) await connection.get();

// FIFO: records of one call run in order; a failed call's later records are returned
// unprocessed (skipGroupOnError) while other calls in the batch go on.
const processor = new SqsFifoPartialProcessorAsync();

const retryFailed = createRecordRetrier(logger);
const lambdaHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { deps } = await connection.get();
  const recordHandler = (record: SQSRecord) => processQueueRecord(record, deps);
  const response = await processPartialResponse(event, recordHandler, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
  // A caller is waiting: failed records come back in seconds, not after the visibility timeout.
  await retryFailed(event.Records, response.batchItemFailures);
  return response;
};

/** SQS FIFO batch handler: drives each call one step and reports partial batch failures. */
export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

/** Closes the container's connections; for the local dev loop and tests (Lambda never calls it). */
export async function shutdown(): Promise<void> {
  const made = connection.made();
  if (made) await made.redis.quit().catch(() => made.redis.disconnect());
}
