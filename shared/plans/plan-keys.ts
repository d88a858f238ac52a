import { createHash } from 'node:crypto';

/** The tenant's plan document: `${TENANTCFG_PREFIX}:${tenantId}`. */
export const tenantPlanKey = (tenantcfgPrefix: string, tenantId: string): string =>
  `${tenantcfgPrefix}:${tenantId}`;

/**
 * An immutable copy of one plan document, named by its SHA-1, written by `config-set` with
 * the plan: later steps of a call read the plan pinned at `call.initiated` from here, so an
 * edit mid-call cannot change a call in progress. (Tenant ids never contain ':', so these
 * names cannot collide with a plan key.)
 */
export const pinnedPlanKey = (tenantcfgPrefix: string, tenantId: string, digest: string): string =>
  `${tenantPlanKey(tenantcfgPrefix, tenantId)}:pinned:${digest}`;

/** How long a pinned copy outlives its plan's replacement (s): longer than any call. */
export const PINNED_PLAN_TTL_SECONDS = 24 * 60 * 60;

/** The SHA-1 of a document's UTF-8 text, as Redis's `redis.sha1hex` computes it. */
export function planDigest(document: string): string {
  return createHash('sha1').update(document, 'utf8').digest('hex');
}
