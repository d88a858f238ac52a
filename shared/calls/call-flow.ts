import type { CapacityLimiter } from '../capacity/limiter.js';
import type { AppLogger } from '../logging/logger.js';
import type { CallControl } from '../telnyx/call-control.js';
import type { CallMetrics } from './call-metrics.js';
import type { Denial } from './denials.js';

/** Everything the call flow needs, passed in so tests use real or fake objects freely. */
export interface CallFlowDeps {
  readonly resolveTenant: (toNumber: string | null | undefined) => Promise<string | null>;
  readonly limiter: CapacityLimiter;
  readonly callControl: CallControl;
  readonly logger: AppLogger;
  readonly metrics?: CallMetrics;
  /** The clock a `call.initiated`'s age is measured with. */
  readonly now?: () => Date;
}

/** What the worker did with one event (for logs and tests; failures throw instead). */
export type CallOutcome =
  | { readonly kind: 'accepted'; readonly tenantId: string }
  | { readonly kind: 'denied'; readonly denial: Denial }
  | { readonly kind: 'spoke' | 'hung_up' | 'call_ended' }
  | { readonly kind: 'released'; readonly held: boolean }
  | { readonly kind: 'ignored'; readonly why: string };
