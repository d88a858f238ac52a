import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadAdmissionConfig } from '../../shared/config/admission-config.js';
import { resolveSecret } from '../../shared/config/resolve-secret.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createRedisClient } from '../../shared/redis/create-redis-client.js';
import { type AdminResponse, runAdminCommand } from '../../shared/tenants/run-admin-command.js';

// Once per container. The caps and prefixes are the stack's own (the worker's parameters),
// so `status` reports the numbers the worker really applies.
const config = loadAdmissionConfig();
const logger = createLogger('admin');
const authToken = await resolveSecret(config.redisAuthToken, config.redisAuthTokenSecretArn);
const redis = createRedisClient(config, { authToken, logger });
const runtime = {
  redis,
  logger,
  prefixes: { tenantmapPrefix: config.tenantmapPrefix, capPrefix: config.capPrefix },
  tenantcfgPrefix: config.tenantcfgPrefix,
  defaults: {
    globalConcurrencyCap: config.globalConcurrencyCap,
    tenantConcurrencyCapDefault: config.tenantConcurrencyCapDefault,
    tenantCallsPerMinCapDefault: config.tenantCallsPerMinCapDefault,
  },
  leaseSeconds: config.capacityTtlSeconds,
};

/**
 * Tenant administration, invoked directly with IAM (`npm run tenants -- --stack ...`): one JSON
 * command in, `{"ok":true,"result":...}` or `{"ok":false,"error":...}` out. A Redis failure
 * is thrown, so the caller sees a function error rather than a refusal.
 */
export const handler = middy(
  (request: unknown): Promise<AdminResponse> => runAdminCommand(runtime, request),
).use(injectLambdaContext(logger, { resetKeys: true }));

/** Closes the container's connection; for tests (Lambda never calls it). */
export async function shutdown(): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
