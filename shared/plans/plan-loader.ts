import type { Redis } from 'ioredis';
import type { CallMetrics } from '../calls/call-metrics.js';
import { LOG_MESSAGES } from '../logging/log-messages.js';
import type { AppLogger } from '../logging/logger.js';
import type { PlanRead } from '../tenants/resolve-tenant-plan.js';
import { describeProblems, type PlanProblem, parsePlan } from './parse-plan.js';
import { pinnedPlanKey, planDigest, tenantPlanKey } from './plan-keys.js';
import { MAX_PLAN_BYTES, type TenantPlan } from './plan-schema.js';

/** A plan and the SHA-1 of its document, which names its pinned copy. */
export interface PinnedPlan {
  readonly plan: TenantPlan;
  readonly digest: string;
}

/** The container's view of tenant plans: which plan governs a new call, and a call's pinned plan. */
export interface PlanLoader {
  /** The plan for a call starting now; `null` means today's behaviour (no plan applies). */
  choose(tenantId: string, read: PlanRead): PinnedPlan | null;
  /** The plan pinned at a call's `call.initiated`; `null` when it can no longer be found. */
  pinned(tenantId: string, digest: string): Promise<TenantPlan | null>;
}

export interface PlanLoaderDeps {
  readonly redis: Pick<Redis, 'mget'>;
  readonly tenantcfgPrefix: string;
  readonly logger: Pick<AppLogger, 'warn' | 'error'>;
  readonly metrics: Pick<CallMetrics, 'tenantConfigInvalid'>;
  readonly now?: () => number;
}

const WARN_INTERVAL_MS = 60_000;
const PINNED_CACHE_SIZE = 256;

/**
 * Keeps, per container, the last valid plan of each tenant (the fallback for a broken
 * document or a failed read), parsed plans by digest, and when each tenant was last warned.
 */
export function createPlanLoader(deps: PlanLoaderDeps): PlanLoader {
  const now = deps.now ?? Date.now;
  const lastGood = new Map<string, PinnedPlan>();
  const byDigest = new Map<string, TenantPlan>();
  const invalidDigests = new Map<string, { revision?: number; problems: readonly PlanProblem[] }>();
  const warnedAt = new Map<string, number>();

  const remember = (digest: string, plan: TenantPlan) => {
    byDigest.set(digest, plan);
    if (byDigest.size > PINNED_CACHE_SIZE) byDigest.delete(byDigest.keys().next().value as string);
  };
  const invalid = (
    tenantId: string,
    revision: number | undefined,
    problems: readonly PlanProblem[],
  ) => {
    deps.metrics.tenantConfigInvalid();
    const last = warnedAt.get(tenantId);
    if (last === undefined || now() - last >= WARN_INTERVAL_MS) {
      warnedAt.set(tenantId, now());
      // Paths and rules only: a document's values may be private and are never logged.
      deps.logger.warn(LOG_MESSAGES.tenantConfigInvalid, {
        tenantId,
        revision,
        problems: describeProblems(problems),
        fallbackRevision: lastGood.get(tenantId)?.plan.revision ?? null,
      });
    }
    return lastGood.get(tenantId) ?? null;
  };

  function choose(tenantId: string, read: PlanRead): PinnedPlan | null {
    switch (read.kind) {
      case 'none':
        // A deleted plan means today's behaviour, not the revision before the deletion.
        lastGood.delete(tenantId);
        return null;
      case 'error':
        deps.logger.error(LOG_MESSAGES.tenantConfigReadFailed, { tenantId, error: read.message });
        return lastGood.get(tenantId) ?? null;
      case 'too_large':
        return invalid(tenantId, undefined, [
          {
            path: '(document)',
            rule: `must be at most ${MAX_PLAN_BYTES} bytes (is ${read.bytes})`,
          },
        ]);
    }
    const known = byDigest.get(read.digest);
    if (known?.tenantId === tenantId) return keep(tenantId, { plan: known, digest: read.digest });
    const failed = invalidDigests.get(read.digest);
    if (failed) return invalid(tenantId, failed.revision, failed.problems);
    const parsed = parsePlan(read.raw, tenantId);
    if (!parsed.ok) {
      invalidDigests.set(read.digest, { revision: parsed.revision, problems: parsed.problems });
      if (invalidDigests.size > PINNED_CACHE_SIZE)
        invalidDigests.delete(invalidDigests.keys().next().value as string);
      return invalid(tenantId, parsed.revision, parsed.problems);
    }
    remember(read.digest, parsed.plan);
    return keep(tenantId, { plan: parsed.plan, digest: read.digest });
  }

  function keep(tenantId: string, pinned: PinnedPlan): PinnedPlan {
    lastGood.set(tenantId, pinned);
    return pinned;
  }

  async function pinned(tenantId: string, digest: string): Promise<TenantPlan | null> {
    const known = byDigest.get(digest);
    if (known?.tenantId === tenantId) return known;
    let raw: string | null;
    try {
      // The pinned copy (written by config-set), or the current plan if it is still the same
      // document (one written directly, without config-set, and not changed since).
      const [copy, current] = await deps.redis.mget(
        pinnedPlanKey(deps.tenantcfgPrefix, tenantId, digest),
        tenantPlanKey(deps.tenantcfgPrefix, tenantId),
      );
      raw = copy ?? (current != null && planDigest(current) === digest ? current : null);
    } catch (error) {
      deps.logger.error(LOG_MESSAGES.tenantConfigReadFailed, {
        tenantId,
        digest,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
    const parsed = raw === null ? null : parsePlan(raw, tenantId);
    if (!parsed?.ok) {
      deps.logger.warn(LOG_MESSAGES.tenantPlanUnavailable, { tenantId, digest });
      return null;
    }
    remember(digest, parsed.plan);
    return parsed.plan;
  }

  return { choose, pinned };
}
