import { KEY_PREFIX_DEFAULTS as KEYS, ENV_NAMES as N } from './env-names.js';
import {
  type Env,
  loadFields,
  optionalString,
  positiveInteger,
  positiveIntegerWithDefault,
  requiredString,
  stringWithDefault,
} from './parse-env.js';

/** Default bound on one Redis command, including time spent waiting for a connection. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1000;

/** The contract's variables and the Redis client's own: each setting's variable and parser. */
export const admissionFields = {
  redisUrl: [N.redisUrl, requiredString],
  tenantmapPrefix: [N.tenantmapPrefix, stringWithDefault(KEYS.tenantmapPrefix)],
  capPrefix: [N.capPrefix, stringWithDefault(KEYS.capPrefix)],
  tenantcfgPrefix: [N.tenantcfgPrefix, stringWithDefault(KEYS.tenantcfgPrefix)],
  globalConcurrencyCap: [N.globalConcurrencyCap, positiveInteger],
  tenantConcurrencyCapDefault: [N.tenantConcurrencyCapDefault, positiveInteger],
  tenantCallsPerMinCapDefault: [N.tenantCallsPerMinCapDefault, positiveInteger],
  capacityTtlSeconds: [N.capacityTtlSeconds, positiveInteger],
  redisCommandTimeoutMs: [
    N.redisCommandTimeoutMs,
    positiveIntegerWithDefault(DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
  ],
  redisAuthToken: [N.redisAuthToken, optionalString],
  redisAuthTokenSecretArn: [N.redisAuthTokenSecretArn, optionalString],
} as const;

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
  return loadFields(admissionFields, env);
}
