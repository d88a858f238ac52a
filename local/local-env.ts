import { LOCAL_AWS_ENV } from './sqs-server.js';

/**
 * The contract's capacity variables as `npm start` sets them when the environment does not:
 * small enough that a few simulated calls reach a cap. Any of them can be overridden by env.
 */
export const LOCAL_CAP_DEFAULTS = {
  GLOBAL_CONCURRENCY_CAP: '10',
  TENANT_CONCURRENCY_CAP_DEFAULT: '2',
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: '60',
  CAPACITY_TTL_SECONDS: '600',
} as const;

/** The port `npm start` listens on unless `PORT` says otherwise (`npm run call` targets it). */
export const DEFAULT_LOCAL_PORT = 3000;

/** The value of `name` from `env` when set and not blank, else `fallback`. */
export function envOr(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/** What the pipeline started, which the handlers' environment points at. */
export interface LocalServices {
  readonly queue: { readonly endpoint: string; readonly queueUrl: string };
  readonly redisUrl: string;
  /** The simulator's API base URL; `undefined` when the real Telnyx API is used. */
  readonly telnyxBaseUrl: string | undefined;
  /** The development public key that signs simulated webhooks. */
  readonly devPublicKey: string;
}

/**
 * The handlers' environment for the local pipeline: the contract's variables from `source` or
 * local defaults, every `overrides` entry, and the local services. Throws when the real Telnyx
 * API is chosen without the account's public key, as ingest could verify nothing.
 */
export function handlerEnv(
  source: NodeJS.ProcessEnv,
  overrides: Readonly<Record<string, string | undefined>>,
  services: LocalServices,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  for (const [name, fallback] of Object.entries(LOCAL_CAP_DEFAULTS)) {
    env[name] = envOr(source, name, fallback);
  }
  Object.assign(env, {
    TENANTMAP_PREFIX: envOr(source, 'TENANTMAP_PREFIX', 'tenantmap'),
    CAP_PREFIX: envOr(source, 'CAP_PREFIX', 'cap'),
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_SQS: services.queue.endpoint,
    QUEUE_URL: services.queue.queueUrl,
    REDIS_URL: services.redisUrl,
    // The call timelines read the worker's per-event DEBUG line; printing is chosen separately.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    // One JSON object per line, which is what the timelines parse.
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_METRICS_DISABLED: envOr(source, 'POWERTOOLS_METRICS_DISABLED', 'true'),
  });
  if (services.telnyxBaseUrl) {
    env.TELNYX_API_KEY = 'KEY_local_simulator';
    env.TELNYX_BASE_URL = services.telnyxBaseUrl;
    env.TELNYX_PUBLIC_KEY = services.devPublicKey;
  } else if (!source.TELNYX_PUBLIC_KEY?.trim()) {
    throw new Error(
      "TELNYX_API_KEY is set, so the real Telnyx API is used: set TELNYX_PUBLIC_KEY to your account's public key (Mission Control > Keys & Credentials > Public Key)",
    );
  }
  return env;
}

/** Sets the handlers' variables; returns a function that puts the previous values back. */
export function applyEnv(vars: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
