import { secretSource } from './secret-source.js';

/**
 * A secret given either as a plain value (local development) or as a Secrets Manager ARN
 * (AWS), fetched once: callers await this at module scope, so once per cold start.
 */
export async function resolveSecret(
  plain: string | undefined,
  secretArn: string | undefined,
): Promise<string | undefined> {
  if (!plain && !secretArn) return undefined;
  return secretSource(plain, secretArn, Number.MAX_SAFE_INTEGER).get();
}
