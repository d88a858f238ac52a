import { type AdmissionConfig, admissionShape, toAdmissionConfig } from './admission-config.js';
import { ENV_NAMES as N } from './env-names.js';
import {
  type Env,
  optionalString,
  parseEnv,
  positiveIntegerWithDefault,
  stringWithDefault,
} from './parse-env.js';
import { DEFAULT_SECRET_MAX_AGE_SECONDS } from './secret-source.js';

/** The worker's settings: the Redis contract plus how it talks to Telnyx. */
export interface WorkerConfig extends AdmissionConfig {
  /** A plain API key (local use); in AWS the key comes from `telnyxApiKeySecretArn`. */
  readonly telnyxApiKey?: string | undefined;
  readonly telnyxApiKeySecretArn?: string | undefined;
  readonly speakVoice: string;
  readonly speakLanguage: string;
  /** Bound on one Telnyx request attempt; the SDK retries 408/409/429/5xx twice on top. */
  readonly telnyxTimeoutMs: number;
  /** How long a Secrets Manager copy of the API key is used before it is read again. */
  readonly telnyxApiKeyMaxAgeSeconds: number;
}

/** The voice and language Telnyx speaks denial messages in, unless set. */
export const SPEAK_DEFAULTS = { voice: 'female', language: 'en-US' } as const;

const workerShape = {
  ...admissionShape,
  [N.telnyxApiKey]: optionalString,
  [N.telnyxApiKeySecretArn]: optionalString,
  [N.telnyxSpeakVoice]: stringWithDefault(SPEAK_DEFAULTS.voice),
  [N.telnyxSpeakLanguage]: stringWithDefault(SPEAK_DEFAULTS.language),
  [N.telnyxTimeoutMs]: positiveIntegerWithDefault(5000),
  [N.telnyxApiKeyMaxAgeSeconds]: positiveIntegerWithDefault(DEFAULT_SECRET_MAX_AGE_SECONDS),
};

/**
 * Reads the worker's environment: the Redis contract's variables and the Telnyx ones.
 * Every problem is reported together in one `ConfigError`.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const vars = parseEnv(workerShape, env, (e) =>
    e[N.telnyxApiKey]?.trim() || e[N.telnyxApiKeySecretArn]?.trim()
      ? []
      : [{ variable: N.telnyxApiKey, message: `or ${N.telnyxApiKeySecretArn} is required` }],
  );
  return {
    ...toAdmissionConfig(vars),
    telnyxApiKey: vars[N.telnyxApiKey],
    telnyxApiKeySecretArn: vars[N.telnyxApiKeySecretArn],
    speakVoice: vars[N.telnyxSpeakVoice],
    speakLanguage: vars[N.telnyxSpeakLanguage],
    telnyxTimeoutMs: vars[N.telnyxTimeoutMs],
    telnyxApiKeyMaxAgeSeconds: vars[N.telnyxApiKeyMaxAgeSeconds],
  };
}
