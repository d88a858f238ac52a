/**
 * The functions' environment variable names, declared once: the constructs in `lib/` set
 * them and `shared/config/` reads them. The first seven are the Redis contract's.
 */
export const ENV_NAMES = {
  redisUrl: 'REDIS_URL',
  tenantmapPrefix: 'TENANTMAP_PREFIX',
  capPrefix: 'CAP_PREFIX',
  tenantcfgPrefix: 'TENANTCFG_PREFIX',
  globalConcurrencyCap: 'GLOBAL_CONCURRENCY_CAP',
  tenantConcurrencyCapDefault: 'TENANT_CONCURRENCY_CAP_DEFAULT',
  tenantCallsPerMinCapDefault: 'TENANT_CALLS_PER_MIN_CAP_DEFAULT',
  capacityTtlSeconds: 'CAPACITY_TTL_SECONDS',
  redisCommandTimeoutMs: 'REDIS_COMMAND_TIMEOUT_MS',
  redisAuthToken: 'REDIS_AUTH_TOKEN',
  redisAuthTokenSecretArn: 'REDIS_AUTH_TOKEN_SECRET_ARN',
  telnyxApiKey: 'TELNYX_API_KEY',
  telnyxApiKeySecretArn: 'TELNYX_API_KEY_SECRET_ARN',
  telnyxSpeakVoice: 'TELNYX_SPEAK_VOICE',
  telnyxSpeakLanguage: 'TELNYX_SPEAK_LANGUAGE',
  telnyxTimeoutMs: 'TELNYX_TIMEOUT_MS',
  telnyxApiKeyMaxAgeSeconds: 'TELNYX_API_KEY_MAX_AGE_SECONDS',
  telnyxPublicKey: 'TELNYX_PUBLIC_KEY',
  queueUrl: 'QUEUE_URL',
  webhookToleranceSeconds: 'WEBHOOK_TOLERANCE_SECONDS',
  telnyxConnectionId: 'TELNYX_CONNECTION_ID',
  telnyxSourceCidrs: 'TELNYX_SOURCE_CIDRS',
  reconcileIntervalSeconds: 'RECONCILE_INTERVAL_SECONDS',
  reconcileCheckSeconds: 'RECONCILE_CHECK_SECONDS',
  reconcileBatchSize: 'RECONCILE_BATCH_SIZE',
  /** Read by Powertools Metrics itself; the worker falls back to `METRICS_NAMESPACE`. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** The contract's key prefixes when TENANTMAP_PREFIX, CAP_PREFIX or TENANTCFG_PREFIX is unset. */
export const KEY_PREFIX_DEFAULTS = {
  tenantmapPrefix: 'tenantmap',
  capPrefix: 'cap',
  tenantcfgPrefix: 'tenantcfg',
} as const;
