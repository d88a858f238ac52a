import type { CallStep } from './call-steps.js';
import type { Denial } from './denials.js';

/** The counts the dashboard and alarms read; Powertools Metrics implements it in the worker. */
export interface CallMetrics {
  accepted(): void;
  denied(denial: Denial): void;
  /** A record failed and goes back to the queue. */
  stepFailed(step: CallStep): void;
  /** Redis failed while resolving a dialed number (the call is then refused). */
  tenantResolveFailed(): void;
  /** A tenant plan document failed validation (counted on every read, unlike the warning). */
  tenantConfigInvalid(): void;
}

/** Metrics that go nowhere, for callers that do not report any. */
export const noMetrics: CallMetrics = {
  accepted() {},
  denied() {},
  stepFailed() {},
  tenantResolveFailed() {},
  tenantConfigInvalid() {},
};
