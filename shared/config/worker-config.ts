import {
  type Env,
  optionalString,
  parseEnv,
  positiveIntegerWithDefault,
  stringWithDefault,
} from './parse-env.js';
import { type RedisConfig, redisShape, toRedisConfig } from './redis-config.js';

/** The worker's settings: the Redis contract plus how it talks to Telnyx. */
export interface WorkerConfig extends RedisConfig {
  /** A plain API key (local use); in AWS the key comes from `telnyxApiKeySecretArn`. */
  readonly telnyxApiKey?: string | undefined;
  readonly telnyxApiKeySecretArn?: string | undefined;
  readonly speakVoice: string;
  readonly speakLanguage: string;
  /** Bound on one Telnyx request attempt; the SDK retries 408/409/429/5xx twice on top. */
  readonly telnyxTimeoutMs: number;
}

const workerShape = {
  ...redisShape,
  TELNYX_API_KEY: optionalString,
  TELNYX_API_KEY_SECRET_ARN: optionalString,
  TELNYX_SPEAK_VOICE: stringWithDefault('female'),
  TELNYX_SPEAK_LANGUAGE: stringWithDefault('en-US'),
  TELNYX_TIMEOUT_MS: positiveIntegerWithDefault(5000),
};

/**
 * Reads the worker's environment: the Redis contract's variables and the Telnyx ones.
 * Every problem is reported together in one `ConfigError`.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const vars = parseEnv(workerShape, env, (e) =>
    e.TELNYX_API_KEY?.trim() || e.TELNYX_API_KEY_SECRET_ARN?.trim()
      ? []
      : [{ variable: 'TELNYX_API_KEY', message: 'or TELNYX_API_KEY_SECRET_ARN is required' }],
  );
  return {
    ...toRedisConfig(vars),
    telnyxApiKey: vars.TELNYX_API_KEY,
    telnyxApiKeySecretArn: vars.TELNYX_API_KEY_SECRET_ARN,
    speakVoice: vars.TELNYX_SPEAK_VOICE,
    speakLanguage: vars.TELNYX_SPEAK_LANGUAGE,
    telnyxTimeoutMs: vars.TELNYX_TIMEOUT_MS,
  };
}
