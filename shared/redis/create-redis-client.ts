import { Redis, type RedisOptions } from 'ioredis';
import type { AdmissionConfig } from '../config/admission-config.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';

/** Where the client reports connection errors (they never reach a command's caller). */
export type RedisErrorSink = Pick<AppLogger, 'warn'>;

export interface CreateRedisClientOptions {
  /** AUTH token resolved by the caller (plain locally, from Secrets Manager in AWS). */
  readonly authToken?: string | undefined;
  readonly logger: RedisErrorSink;
}

/**
 * Builds the per-container ioredis client. The contract fixes `maxRetriesPerRequest: 2`
 * and `enableReadyCheck: true`; `commandTimeout` is what bounds a hung or unreachable
 * server (it also covers time spent in the offline queue), and `protocol: 2` keeps
 * replies in the shapes ElastiCache and the scripts expect.
 */
export function createRedisClient(
  config: Pick<AdmissionConfig, 'redisUrl' | 'redisCommandTimeoutMs'>,
  options: CreateRedisClientOptions,
): Redis {
  const url = new URL(config.redisUrl);
  const redisOptions: RedisOptions = {
    protocol: 2,
    maxRetriesPerRequest: 2,
    enableReadyCheck: true,
    commandTimeout: config.redisCommandTimeoutMs,
    connectTimeout: Math.max(config.redisCommandTimeoutMs, 1000),
    // Reconnect quickly but never spin: Lambda containers are short-lived.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // After a failover the old primary is a replica: its connection stays up and answers
    // every write with READONLY. Reconnect (the endpoint now names the new primary) and
    // resend the command (2), instead of failing writes while reporting `ready`.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(options.authToken ? { password: options.authToken } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
  };
  const client = new Redis(config.redisUrl, redisOptions);
  let lastReported = '';
  client.on('error', (error: Error) => {
    // A down server emits the same error on every reconnect attempt; log each kind once.
    if (error.message === lastReported) return;
    lastReported = error.message;
    options.logger.warn(LOG_MESSAGES.redisConnectionError, { error: error.message });
  });
  client.on('ready', () => {
    lastReported = '';
  });
  return client;
}
