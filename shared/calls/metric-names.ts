/** Where the worker's Powertools Metrics land (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'TelnyxCallAdmission';

/** The worker's call metrics and the dimensions `CallDenied` and `CallStepFailed` carry. */
export const CALL_METRIC_NAMES = {
  accepted: 'CallAccepted',
  denied: 'CallDenied',
  reasonDimension: 'Reason',
  stepFailed: 'CallStepFailed',
  stepDimension: 'Step',
  tenantResolveFailed: 'TenantResolveFailed',
  tenantConfigInvalid: 'TenantConfigInvalid',
} as const;

/** The ingest function's metric: a webhook that failed the signature check. */
export const INGEST_METRIC_NAMES = {
  signatureRejected: 'SignatureRejected',
} as const;
