import { ENV_NAMES as N } from './env-names.js';
import {
  type Env,
  type EnvProblem,
  optionalString,
  positiveIntegerWithDefault,
} from './parse-env.js';

/** How a function reaches the Telnyx API: the key (plain or by secret ARN) and a timeout. */
export interface TelnyxApiConfig {
  /** A plain API key (local use); in AWS the key comes from `telnyxApiKeySecretArn`. */
  readonly telnyxApiKey?: string | undefined;
  readonly telnyxApiKeySecretArn?: string | undefined;
  /** Bound on one Telnyx request attempt. */
  readonly telnyxTimeoutMs: number;
}

/** The Telnyx API variables: each setting's variable and parser. */
export const telnyxApiFields = {
  telnyxApiKey: [N.telnyxApiKey, optionalString],
  telnyxApiKeySecretArn: [N.telnyxApiKeySecretArn, optionalString],
  telnyxTimeoutMs: [N.telnyxTimeoutMs, positiveIntegerWithDefault(5000)],
} as const;

/** One of the key or its secret ARN is required. */
export function telnyxKeyProblems(env: Env): EnvProblem[] {
  return env[N.telnyxApiKey]?.trim() || env[N.telnyxApiKeySecretArn]?.trim()
    ? []
    : [{ variable: N.telnyxApiKey, message: `or ${N.telnyxApiKeySecretArn} is required` }];
}
