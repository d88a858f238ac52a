import type { CapacityLimiter } from '../capacity/limiter.js';
import type { AppLogger } from '../logging/logger.js';
import type { PlanLoader } from '../plans/plan-loader.js';
import type { CallControl } from '../telnyx/call-control.js';
import type { TenantPlanResolution } from '../tenants/resolve-tenant-plan.js';
import type { CallMetrics } from './call-metrics.js';
import type { Denial } from './denials.js';

/** Everything the call flow needs, passed in so tests use real or fake objects freely. */
export interface CallFlowDeps {
  /** The dialed number's tenant and its plan document, read together (one round trip). */
  readonly resolveTenant: (toNumber: string | null | undefined) => Promise<TenantPlanResolution>;
  readonly plans: PlanLoader;
  readonly limiter: CapacityLimiter;
  readonly callControl: CallControl;
  readonly logger: AppLogger;
  readonly metrics?: CallMetrics;
  /** The clock a `call.initiated`'s age and opening hours are checked against. */
  readonly now?: () => Date;
}

/** What the worker did with one event (for logs and tests; failures throw instead). */
export type CallOutcome =
  | { readonly kind: 'accepted'; readonly tenantId: string }
  | { readonly kind: 'denied'; readonly denial: Denial }
  | { readonly kind: 'spoke' | 'hung_up' | 'call_ended' }
  | { readonly kind: 'plan_step'; readonly step: string }
  | { readonly kind: 'released'; readonly held: boolean }
  | { readonly kind: 'ignored'; readonly why: string };
