import type { LocalServices } from './local-system.js';
import { LOCAL_AWS_ENV } from './sqs-server.js';

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
  TENANTMAP_PREFIX: 'tenantmap',
  CAP_PREFIX: 'cap',
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
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/**
 * The handlers' environment: `LOCAL_HANDLER_ENV` with values from `source` where set, the
 * local services, then every `overrides` entry. Throws when the real Telnyx
 * API is chosen without the account's public key, as ingest could verify nothing.
 */
export function handlerEnv(
  source: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string | undefined>>,
  services: Pick<LocalServices, 'sqs' | 'queueUrl' | 'redisUrl' | 'telnyx' | 'keys'>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(LOCAL_HANDLER_ENV)) {
    env[name] = envOr(source, name, fallback);
  }
  Object.assign(env, {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_SQS: services.sqs.endpoint,
    QUEUE_URL: services.queueUrl,
    REDIS_URL: services.redisUrl,
  });
  if (services.telnyx) {
    env.TELNYX_API_KEY = 'KEY_local_simulator';
    env.TELNYX_BASE_URL = services.telnyx.baseUrl;
    // The simulator signs its webhooks with the dev key.
    env.TELNYX_PUBLIC_KEY = services.keys.publicKeyBase64;
  } else if (!source.TELNYX_PUBLIC_KEY?.trim()) {
    throw new Error(
      "TELNYX_API_KEY is set, so the real Telnyx API is used: set TELNYX_PUBLIC_KEY to your account's public key (Mission Control > Keys & Credentials > Public Key)",
    );
  }
  // The caller's own settings win, even over a service (e.g. a Telnyx URL where nothing listens).
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  return env;
}
