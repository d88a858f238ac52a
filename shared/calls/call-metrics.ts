import type { Denial } from './denials.js';

/** The counts the dashboard shows; Powertools Metrics implements it in the worker. */
export interface CallMetrics {
  accepted(): void;
  denied(denial: Denial): void;
  /** A tenant plan document failed validation (counted on every read, unlike the warning). */
  tenantConfigInvalid(): void;
}

/** Metrics that go nowhere, for callers that do not report any. */
export const noMetrics: CallMetrics = { accepted() {}, denied() {}, tenantConfigInvalid() {} };
