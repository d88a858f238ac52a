/** Where the worker's Powertools Metrics land (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'TelnyxCallAdmission';

/** The worker's call metrics and the dimension `CallDenied` carries its denial in. */
export const CALL_METRIC_NAMES = {
  accepted: 'CallAccepted',
  denied: 'CallDenied',
  reasonDimension: 'Reason',
  tenantConfigInvalid: 'TenantConfigInvalid',
} as const;
