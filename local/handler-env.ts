import { KEY_PREFIX_DEFAULTS } from '../shared/config/env-names.js';

/**
 * The one set of handler settings for every local run (`npm start`, the e2e and fault tests,
 * the benchmarks, and the worker section of `.local/events/env.json`): caps small enough that a few
 * calls reach them, timeouts short enough that a fault shows within a second. A run passes
 * only the settings its purpose changes; `npm start` also takes any of these from its env.
 */
export const LOCAL_HANDLER_ENV = {
  GLOBAL_CONCURRENCY_CAP: '5',
  TENANT_CONCURRENCY_CAP_DEFAULT: '2',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '100',
  CAPACITY_TTL_SECONDS: '600',
  TENANTMAP_PREFIX: KEY_PREFIX_DEFAULTS.tenantmapPrefix,
  CAP_PREFIX: KEY_PREFIX_DEFAULTS.capPrefix,
  REDIS_COMMAND_TIMEOUT_MS: '300',
  TELNYX_TIMEOUT_MS: '1000',
  // Metrics on, as in Lambda: EMF lines are JSON on stdout, which the local log reader skips.
  POWERTOOLS_METRICS_DISABLED: 'false',
  // One JSON object per line, which is what the log readers parse.
  POWERTOOLS_DEV: 'false',
} as const;

/** The port `npm start` listens on unless `PORT` says otherwise (`npm run call` targets it). */
export const DEFAULT_LOCAL_PORT = 3000;

/** The value of `name` from `env` when set and not blank, else `fallback`. */
export function envOr(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  return env[name]?.trim() || fallback;
}
