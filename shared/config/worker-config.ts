import { type AdmissionConfig, admissionShape, toAdmissionConfig } from './admission-config.js';
import { ENV_NAMES as N } from './env-names.js';
import { type Env, parseEnv, stringWithDefault } from './parse-env.js';
import {
  type TelnyxApiConfig,
  telnyxApiShape,
  telnyxKeyProblems,
  toTelnyxApiConfig,
} from './telnyx-api-config.js';

/**
 * The worker's settings: the Redis contract plus how it talks to Telnyx. Its Telnyx
 * timeout bounds one attempt; the SDK retries 408/409/429/5xx twice on top.
 */
export interface WorkerConfig extends AdmissionConfig, TelnyxApiConfig {
  readonly speakVoice: string;
  readonly speakLanguage: string;
}

/** The voice and language Telnyx speaks denial messages in, unless set. */
export const SPEAK_DEFAULTS = { voice: 'female', language: 'en-US' } as const;

const workerShape = {
  ...admissionShape,
  ...telnyxApiShape,
  [N.telnyxSpeakVoice]: stringWithDefault(SPEAK_DEFAULTS.voice),
  [N.telnyxSpeakLanguage]: stringWithDefault(SPEAK_DEFAULTS.language),
};

/**
 * Reads the worker's environment: the Redis contract's variables and the Telnyx ones.
 * Every problem is reported together in one `ConfigError`.
 */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const vars = parseEnv(workerShape, env, telnyxKeyProblems);
  return {
    ...toAdmissionConfig(vars),
    ...toTelnyxApiConfig(vars),
    speakVoice: vars[N.telnyxSpeakVoice],
    speakLanguage: vars[N.telnyxSpeakLanguage],
  };
}
