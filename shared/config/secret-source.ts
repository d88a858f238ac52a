import { readSecretFromExtension, secretsExtensionPort } from './secrets-extension.js';

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
 * ARN, kept for `maxAgeSeconds`, so a rotated value is picked up without a redeploy. Throws on
 * a secret without a string value.
 *
 * With the Parameters and Secrets extension (in AWS), `get` reads through it on localhost; the
 * extension holds a value for at most its own TTL (the stack sets it), so a rotation shows
 * within `maxAgeSeconds` + that TTL. `refresh` bypasses both caches with one GetSecretValue
 * through Powertools. Without the extension, both go through Powertools. Either way the AWS
 * SDK client is loaded only when it is first needed, not at cold start.
 */
export function secretSource(
  plain: string | undefined,
  secretArn: string | undefined,
  maxAgeSeconds = DEFAULT_SECRET_MAX_AGE_SECONDS,
  env: NodeJS.ProcessEnv = process.env,
): SecretSource {
  if (plain) return { get: async () => plain, refresh: async () => plain };
  if (!secretArn) throw new Error('a plain value or a secret ARN is required');
  const fromSecretsManager = async (forceFetch: boolean) => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const value = await getSecret(secretArn, { maxAge: maxAgeSeconds, forceFetch });
    if (typeof value !== 'string' || value === '') {
      throw new Error(`secret ${secretArn} has no string value`);
    }
    return value;
  };
  const port = secretsExtensionPort(env);
  if (port === undefined) {
    return { get: () => fromSecretsManager(false), refresh: () => fromSecretsManager(true) };
  }
  let cached: { readonly value: string; readonly readAt: number } | undefined;
  const keep = (value: string) => {
    cached = { value, readAt: Date.now() };
    return value;
  };
  return {
    get: async () => {
      if (cached && Date.now() - cached.readAt < maxAgeSeconds * 1000) return cached.value;
      return keep(await readSecretFromExtension(secretArn, { port, env }));
    },
    refresh: async () => keep(await fromSecretsManager(true)),
  };
}

/** True when a secret given as an ARN is read through the extension, i.e. only once invoked. */
export function secretNeedsInvocation(
  secretArn: string | undefined,
  plain: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return !plain && secretArn !== undefined && secretsExtensionPort(env) !== undefined;
}
