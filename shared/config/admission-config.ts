import type * as z from 'zod/mini';
import { ENV_NAMES as N } from './env-names.js';
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
export const admissionShape = {
  [N.redisUrl]: requiredString,
  [N.tenantmapPrefix]: stringWithDefault('tenantmap'),
  [N.capPrefix]: stringWithDefault('cap'),
  [N.tenantcfgPrefix]: stringWithDefault('tenantcfg'),
  [N.globalConcurrencyCap]: positiveInteger,
  [N.tenantConcurrencyCapDefault]: positiveInteger,
  [N.tenantCallsPerMinCapDefault]: positiveInteger,
  [N.capacityTtlSeconds]: positiveInteger,
  [N.redisCommandTimeoutMs]: positiveIntegerWithDefault(DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
  [N.redisAuthToken]: optionalString,
  [N.redisAuthTokenSecretArn]: optionalString,
};

/** The admission settings of the Redis contract (caps, prefixes, TTL) plus the client's own. */
export interface AdmissionConfig {
  readonly redisUrl: string;
  readonly tenantmapPrefix: string;
  readonly capPrefix: string;
  /** Prefix of the tenant plan keys `${TENANTCFG_PREFIX}:${tenantId}`. */
  readonly tenantcfgPrefix: string;
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
export function loadAdmissionConfig(env: Env = process.env): AdmissionConfig {
  return toAdmissionConfig(parseEnv(admissionShape, env));
}

/** Maps parsed variables to the settings object. */
export function toAdmissionConfig(
  vars: z.output<z.ZodMiniObject<typeof admissionShape>>,
): AdmissionConfig {
  return {
    redisUrl: vars[N.redisUrl],
    tenantmapPrefix: vars[N.tenantmapPrefix],
    capPrefix: vars[N.capPrefix],
    tenantcfgPrefix: vars[N.tenantcfgPrefix],
    globalConcurrencyCap: vars[N.globalConcurrencyCap],
    tenantConcurrencyCapDefault: vars[N.tenantConcurrencyCapDefault],
    tenantCallsPerMinCapDefault: vars[N.tenantCallsPerMinCapDefault],
    capacityTtlSeconds: vars[N.capacityTtlSeconds],
    redisCommandTimeoutMs: vars[N.redisCommandTimeoutMs],
    redisAuthToken: vars[N.redisAuthToken],
    redisAuthTokenSecretArn: vars[N.redisAuthTokenSecretArn],
  };
}
