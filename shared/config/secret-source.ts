import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/** A secret that may change while the container lives (an operator rotates it). */
export interface SecretSource {
  /** The value, read again from Secrets Manager once the cached copy is older than its bound. */
  get(): Promise<string>;
  /** Reads the value again at once, for when the cached one was just refused. */
  refresh(): Promise<string>;
}

/** How long a Secrets Manager value is trusted before it is read again (5 minutes). */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

/**
 * A secret given as a plain value (local development: never changes) or a Secrets Manager
 * ARN, cached by Powertools for `maxAgeSeconds`, so a rotated value is picked up without a
 * redeploy. Throws on a secret without a string value.
 */
export function secretSource(
  plain: string | undefined,
  secretArn: string | undefined,
  maxAgeSeconds = DEFAULT_SECRET_MAX_AGE_SECONDS,
): SecretSource {
  if (plain) return { get: async () => plain, refresh: async () => plain };
  if (!secretArn) throw new Error('a plain value or a secret ARN is required');
  const read = async (forceFetch: boolean) => {
    const value = await getSecret(secretArn, { maxAge: maxAgeSeconds, forceFetch });
    if (typeof value !== 'string' || value === '') {
      throw new Error(`secret ${secretArn} has no string value`);
    }
    return value;
  };
  return { get: () => read(false), refresh: () => read(true) };
}
