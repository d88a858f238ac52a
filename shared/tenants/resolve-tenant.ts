import type { Redis } from 'ioredis';
import type { CallMetrics } from '../calls/call-metrics.js';
import { TenantResolveError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import { normalizeNumber } from './normalize-number.js';

export interface ResolveTenantDeps {
  readonly redis: Pick<Redis, 'get'>;
  readonly tenantmapPrefix: string;
  readonly logger: Pick<AppLogger, 'error'>;
  /** Counts a Redis failure, which the Redis-trouble alarm reads. */
  readonly metrics?: Pick<CallMetrics, 'tenantResolveFailed'>;
}

/** The contract's DID mapping key. */
export const didKey = (tenantmapPrefix: string, normalized: string): string =>
  `${tenantmapPrefix}:did:${normalized}`;

/**
 * Resolves the tenant that owns the dialed number, or `null` when the number is empty or
 * unmapped. A Redis failure is logged as `tenant resolve failed` (the contract's line) and
 * thrown as `TenantResolveError`, so an outage is never reported as an unmapped number.
 */
export async function resolveTenantId(
  deps: ResolveTenantDeps,
  toNumber: string | null | undefined,
): Promise<string | null> {
  const normalized = normalizeNumber(toNumber ?? '');
  if (normalized === '') return null;
  try {
    const tenantId = await deps.redis.get(didKey(deps.tenantmapPrefix, normalized));
    return tenantId === null || tenantId === '' ? null : tenantId;
  } catch (error) {
    deps.logger.error(LOG_MESSAGES.tenantResolveFailed, { error: errorMessage(error) });
    deps.metrics?.tenantResolveFailed();
    throw new TenantResolveError('tenant resolve failed', { cause: error });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
