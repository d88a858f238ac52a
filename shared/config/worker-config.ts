import { type AdmissionConfig, admissionFields } from './admission-config.js';
import { ENV_NAMES as N } from './env-names.js';
import {
  type Env,
  loadFields,
  positiveIntegerWithDefault,
  stringWithDefault,
} from './parse-env.js';
import { DEFAULT_SECRET_MAX_AGE_SECONDS } from './secret-source.js';
import { type TelnyxApiConfig, telnyxApiFields, telnyxKeyProblems } from './telnyx-api-config.js';

/**
 * The worker's settings: the Redis contract plus how it talks to Telnyx (the SDK retries
 * 408/409/429/5xx twice on top of each attempt `telnyxTimeoutMs` bounds).
 */
export interface WorkerConfig extends AdmissionConfig, TelnyxApiConfig {
  readonly speakVoice: string;
  readonly speakLanguage: string;
  /** How long a Secrets Manager copy of the API key is used before it is read again. */
  readonly telnyxApiKeyMaxAgeSeconds: number;
}

/** The voice and language Telnyx speaks denial messages in, unless set. */
export const SPEAK_DEFAULTS = { voice: 'female', language: 'en-US' } as const;

const workerFields = {
  ...admissionFields,
  ...telnyxApiFields,
  speakVoice: [N.telnyxSpeakVoice, stringWithDefault(SPEAK_DEFAULTS.voice)],
  speakLanguage: [N.telnyxSpeakLanguage, stringWithDefault(SPEAK_DEFAULTS.language)],
  telnyxApiKeyMaxAgeSeconds: [
    N.telnyxApiKeyMaxAgeSeconds,
    positiveIntegerWithDefault(DEFAULT_SECRET_MAX_AGE_SECONDS),
  ],
} as const;

/**
 * Reads the worker's environment: the Redis contract's variables and the Telnyx ones.
 * Every problem is reported together in one `ConfigError`.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return loadFields(workerFields, env, telnyxKeyProblems);
}
