import type { Redis } from 'ioredis';
import type Telnyx from 'telnyx';
import type { AppLogger } from '../logging/logger.js';
import { createRedisClient } from '../redis/create-redis-client.js';
import { createTelnyxClient } from '../telnyx/create-telnyx-client.js';
import type { AdmissionConfig } from './admission-config.js';
import { resolveSecret } from './resolve-secret.js';
import type { TelnyxApiConfig } from './telnyx-api-config.js';

/**
 * A function's Redis and Telnyx clients, once per container: the Telnyx API key and the
 * Redis AUTH token are read (plain or from Secrets Manager) in parallel first.
 */
export async function connectClients(
  config: AdmissionConfig & TelnyxApiConfig,
  options: { readonly logger: Pick<AppLogger, 'warn'>; readonly telnyxMaxRetries: number },
): Promise<{ readonly redis: Redis; readonly telnyx: Telnyx }> {
  const [apiKey, redisAuthToken] = await Promise.all([
    resolveSecret(config.telnyxApiKey, config.telnyxApiKeySecretArn),
    resolveSecret(config.redisAuthToken, config.redisAuthTokenSecretArn),
  ]);
  const redis = createRedisClient(config, { authToken: redisAuthToken, logger: options.logger });
  const telnyx = createTelnyxClient({
    apiKey: apiKey ?? null,
    timeoutMs: config.telnyxTimeoutMs,
    maxRetries: options.telnyxMaxRetries,
  });
  return { redis, telnyx };
}
