import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { createLeaseStore } from '../../shared/capacity/lease-store.js';
import { createCapacityLimiter } from '../../shared/capacity/limiter.js';
import { connectClients } from '../../shared/config/connect-clients.js';
import { ENV_NAMES } from '../../shared/config/env-names.js';
import { loadReconcilerConfig } from '../../shared/config/reconciler-config.js';
import { createLogger } from '../../shared/logging/logger.js';
import { powertoolsReconcileMetrics } from '../../shared/reconciler/powertools-reconcile-metrics.js';
import {
  type ReconcileSummary,
  reconcileLeases,
} from '../../shared/reconciler/reconcile-leases.js';
import { createTelnyxCallStatus } from '../../shared/telnyx/telnyx-call-status.js';

// Once per container (cold start); a bad environment fails here, naming every variable.
const config = loadReconcilerConfig();
const logger = createLogger('reconciler');
const metrics = new Metrics({
  namespace: process.env[ENV_NAMES.metricsNamespace] ?? METRICS_NAMESPACE,
  serviceName: 'reconciler',
});
// No SDK retries: an unanswered status reads as unknown (slot kept) and is asked next period.
const { redis, telnyx } = await connectClients(config, { logger, telnyxMaxRetries: 0 });
const deps = {
  logger,
  metrics: powertoolsReconcileMetrics(metrics),
  leases: createLeaseStore(redis, config),
  limiter: createCapacityLimiter(redis, config, logger),
  callStatus: createTelnyxCallStatus(telnyx),
};

const lambdaHandler = (_event: unknown, context: Context): Promise<ReconcileSummary> => {
  // Start no status request that could end after the next run starts (at least half the
  // interval is spent asking) or after the function's own timeout.
  const intervalMs = config.intervalSeconds * 1000;
  const stopAt = Date.now() + Math.max(intervalMs - config.telnyxTimeoutMs, intervalMs / 2);
  const hasTimeLeft = () =>
    Date.now() < stopAt && context.getRemainingTimeInMillis() > config.telnyxTimeoutMs + 1000;
  return reconcileLeases({ ...deps, hasTimeLeft }, config);
};

/** Scheduled (EventBridge) every RECONCILE_INTERVAL_SECONDS: renews live calls' leases, reclaims ended ones. */
export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

/** Closes the container's connections; for the local dev loop and tests (Lambda never calls it). */
export async function shutdown(): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
