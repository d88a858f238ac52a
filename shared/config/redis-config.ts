import type * as z from 'zod/mini';
import {
  type Env,
  optionalString,
  parseEnv,
  positiveInteger,
  positiveIntegerWithDefault,
  requiredString,
  stringWithDefault,
} from './parse-env.js';

/** Default bound on one Redis command, including time spent waiting for a connection. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1000;

/** The contract's variables and the Redis client's own, as zod fields keyed by name. */
export const redisShape = {
  REDIS_URL: requiredString,
  TENANTMAP_PREFIX: stringWithDefault('tenantmap'),
  CAP_PREFIX: stringWithDefault('cap'),
  GLOBAL_CONCURRENCY_CAP: positiveInteger,
  TENANT_CONCURRENCY_CAP_DEFAULT: positiveInteger,
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: positiveInteger,
  CAPACITY_TTL_SECONDS: positiveInteger,
  REDIS_COMMAND_TIMEOUT_MS: positiveIntegerWithDefault(DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
  REDIS_AUTH_TOKEN: optionalString,
  REDIS_AUTH_TOKEN_SECRET_ARN: optionalString,
};

/** The Redis contract's settings plus the client's own options. */
export interface RedisConfig {
  readonly redisUrl: string;
  readonly tenantmapPrefix: string;
  readonly capPrefix: string;
  readonly globalConcurrencyCap: number;
  readonly tenantConcurrencyCapDefault: number;
  readonly tenantCallsPerMinCapDefault: number;
  readonly capacityTtlSeconds: number;
  readonly redisCommandTimeoutMs: number;
  /** A plain AUTH token (local use); in AWS the token comes from `redisAuthTokenSecretArn`. */
  readonly redisAuthToken?: string | undefined;
  readonly redisAuthTokenSecretArn?: string | undefined;
}

/**
 * Reads the contract's seven variables (and the optional client settings) from `env`.
 * Throws one `ConfigError` naming every missing or invalid variable.
 */
export function loadRedisConfig(env: Env = process.env): RedisConfig {
  return toRedisConfig(parseEnv(redisShape, env));
}

/** Maps parsed variables to the settings object. */
export function toRedisConfig(vars: z.output<z.ZodMiniObject<typeof redisShape>>): RedisConfig {
  return {
    redisUrl: vars.REDIS_URL,
    tenantmapPrefix: vars.TENANTMAP_PREFIX,
    capPrefix: vars.CAP_PREFIX,
    globalConcurrencyCap: vars.GLOBAL_CONCURRENCY_CAP,
    tenantConcurrencyCapDefault: vars.TENANT_CONCURRENCY_CAP_DEFAULT,
    tenantCallsPerMinCapDefault: vars.TENANT_CALLS_PER_MIN_CAP_DEFAULT,
    capacityTtlSeconds: vars.CAPACITY_TTL_SECONDS,
    redisCommandTimeoutMs: vars.REDIS_COMMAND_TIMEOUT_MS,
    redisAuthToken: vars.REDIS_AUTH_TOKEN,
    redisAuthTokenSecretArn: vars.REDIS_AUTH_TOKEN_SECRET_ARN,
  };
}
