import type { Redis } from 'ioredis';
import type { CallMetrics } from '../calls/call-metrics.js';
import { TenantResolveError } from '../errors.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import { MAX_PLAN_BYTES } from '../plans/plan-schema.js';
import { RESOLVE_TENANT_PLAN_SCRIPT } from '../plans/resolve-plan-script.js';
import { normalizeNumber } from './normalize-number.js';
import { didKey } from './resolve-tenant.js';

/** What Redis held at the tenant's plan key, before validation. */
export type PlanRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'document'; readonly raw: string; readonly digest: string }
  | { readonly kind: 'too_large'; readonly bytes: number }
  | { readonly kind: 'error'; readonly message: string };

/** The dialed number's tenant (`null`: not configured) and what its plan key held. */
export interface TenantPlanResolution {
  readonly tenantId: string | null;
  readonly plan: PlanRead;
}

export interface TenantPlanResolverSettings {
  readonly tenantmapPrefix: string;
  readonly tenantcfgPrefix: string;
}

type ScriptClient = Pick<Redis, 'defineCommand'> & {
  resolveTenantPlan(...keysAndArgv: string[]): Promise<string[]>;
};

const NONE: PlanRead = { kind: 'none' };

/**
 * Resolves a dialed number to its tenant and reads that tenant's plan in one round trip.
 * A Redis failure is logged as the contract's `tenant resolve failed`, counted, and thrown as
 * `TenantResolveError` (the caller still hears "not configured").
 */
export function createTenantPlanResolver(
  redis: Pick<Redis, 'defineCommand'>,
  settings: TenantPlanResolverSettings,
  logger: Pick<AppLogger, 'error'>,
  metrics?: Pick<CallMetrics, 'tenantResolveFailed'>,
): (toNumber: string | null | undefined) => Promise<TenantPlanResolution> {
  redis.defineCommand('resolveTenantPlan', RESOLVE_TENANT_PLAN_SCRIPT);
  const scripts = redis as ScriptClient;
  return async (toNumber) => {
    const normalized = normalizeNumber(toNumber ?? '');
    if (normalized === '') return { tenantId: null, plan: NONE };
    let reply: string[];
    try {
      reply = await scripts.resolveTenantPlan(
        ...RESOLVE_TENANT_PLAN_SCRIPT.arguments({
          didKey: didKey(settings.tenantmapPrefix, normalized),
          tenantcfgPrefix: settings.tenantcfgPrefix,
          maxPlanBytes: String(MAX_PLAN_BYTES),
        }),
      );
    } catch (error) {
      logger.error(LOG_MESSAGES.tenantResolveFailed, {
        error: error instanceof Error ? error.message : String(error),
      });
      metrics?.tenantResolveFailed();
      // Thrown, not `null`: an outage must never read as an unmapped number to operators.
      throw new TenantResolveError('tenant resolve failed', { cause: error });
    }
    const [tenant = '', status, value = '', digest = ''] = reply;
    if (tenant === '') return { tenantId: null, plan: NONE };
    return { tenantId: tenant, plan: toPlanRead(status, value, digest) };
  };
}

function toPlanRead(status: string | undefined, value: string, digest: string): PlanRead {
  switch (status) {
    case 'plan':
      return { kind: 'document', raw: value, digest };
    case 'too_large':
      return { kind: 'too_large', bytes: Number(value) };
    case 'error':
      return { kind: 'error', message: value };
    default:
      return NONE;
  }
}
