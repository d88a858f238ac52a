import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * A secret given either as a plain value (local development) or as a Secrets Manager ARN
 * (AWS), fetched once: callers await this at module scope, so once per cold start.
 */
export async function resolveSecret(
  plain: string | undefined,
  secretArn: string | undefined,
): Promise<string | undefined> {
  if (plain) return plain;
  if (!secretArn) return undefined;
  const value = await getSecret(secretArn, { maxAge: Number.MAX_SAFE_INTEGER });
  if (typeof value !== 'string' || value === '') {
    throw new Error(`secret ${secretArn} has no string value`);
  }
  return value;
}
