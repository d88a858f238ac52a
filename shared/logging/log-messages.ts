/**
 * Every log message the functions write, word for word. Operators' queries, the contract
 * (`tenant resolve failed`, `capacity ...`) and the local timeline key on these strings,
 * so they are declared once here and imported wherever a line is written or read.
 */
export const LOG_MESSAGES = {
  callAccepted: 'call accepted',
  callDenied: 'call denied',
  callNotConfigured: 'call number not configured',
  callReleased: 'call released',
  callSetupExpired: 'call setup expired',
  callStatusUnknown: 'call status unknown',
  capacityCheckFailed: 'capacity check failed',
  capacityDenied: 'capacity denied',
  capacityEvaluationFailed: 'capacity evaluation failed',
  capacityReleaseFailed: 'capacity release failed',
  droppedMalformedMessage: 'dropped malformed message',
  processingEvent: 'processing event',
  reconcileRun: 'reconcile run',
  redisConnectionError: 'redis connection error',
  retryScheduleFailed: 'retry schedule failed',
  tenantAdmin: 'tenant admin',
  slotReclaimed: 'slot reclaimed',
  tenantResolveFailed: 'tenant resolve failed',
  callStepFailed: 'call step failed',
  tenantConfigInvalid: 'tenant config invalid',
  tenantConfigReadFailed: 'tenant config read failed',
  tenantPlanUnavailable: 'tenant plan unavailable',
  callPlanStep: 'call plan step',
  webhookEnqueueFailed: 'webhook enqueue failed',
  webhookForeignConnection: 'webhook for another Telnyx connection ignored',
  webhookNotTelnyxEvent: 'webhook is not a Telnyx event',
  webhookQueued: 'webhook queued',
  webhookSignatureRejected: 'webhook signature rejected',
  webhookSourceNotAllowed: 'webhook source address not allowed',
  webhookTooLarge: 'webhook too large to queue',
} as const;

export type LogMessage = (typeof LOG_MESSAGES)[keyof typeof LOG_MESSAGES];
