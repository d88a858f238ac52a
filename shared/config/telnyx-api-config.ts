import type * as z from 'zod/mini';
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

/** The Telnyx API variables, as zod fields keyed by name. */
export const telnyxApiShape = {
  [N.telnyxApiKey]: optionalString,
  [N.telnyxApiKeySecretArn]: optionalString,
  [N.telnyxTimeoutMs]: positiveIntegerWithDefault(5000),
};

/** One of the key or its secret ARN is required. */
export function telnyxKeyProblems(env: Env): EnvProblem[] {
  return env[N.telnyxApiKey]?.trim() || env[N.telnyxApiKeySecretArn]?.trim()
    ? []
    : [{ variable: N.telnyxApiKey, message: `or ${N.telnyxApiKeySecretArn} is required` }];
}

/** Maps parsed variables to the settings object. */
export function toTelnyxApiConfig(
  vars: z.output<z.ZodMiniObject<typeof telnyxApiShape>>,
): TelnyxApiConfig {
  return {
    telnyxApiKey: vars[N.telnyxApiKey],
    telnyxApiKeySecretArn: vars[N.telnyxApiKeySecretArn],
    telnyxTimeoutMs: vars[N.telnyxTimeoutMs],
  };
}
