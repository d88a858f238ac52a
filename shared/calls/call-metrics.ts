import type { DenialReason } from '../capacity/limiter.js';

/** Why a call was refused, as the `Reason` metric dimension reports it. */
export type DenialMetricReason = DenialReason | 'not_configured' | 'capacity_check_failed';

/** The counts the dashboard shows; Powertools Metrics implements it in the worker. */
export interface CallMetrics {
  accepted(): void;
  denied(reason: DenialMetricReason): void;
}

/** Metrics that go nowhere, for callers that do not report any. */
export const noMetrics: CallMetrics = { accepted() {}, denied() {} };
