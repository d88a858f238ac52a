import { LOG_MESSAGES } from '../logging/log-messages.js';
import { type AppLogger, maskNumber } from '../logging/logger.js';
import type { AcceptWebhookOutcome } from './accept-webhook.js';

/**
 * Writes the one log line a webhook request earns. Fields are chosen so no key, signature or
 * full phone number is ever written.
 */
export function logWebhookOutcome(outcome: AcceptWebhookOutcome, logger: AppLogger): void {
  switch (outcome.kind) {
    case 'queued':
    case 'queue_failed': {
      const { data } = outcome.event;
      const fields = {
        eventType: data.event_type,
        eventId: data.id,
        callControlId: data.payload.call_control_id,
        from: maskNumber(data.payload.from),
        to: maskNumber(data.payload.to),
      };
      // Debug: the worker logs every decision, and serialising a line per webhook is a
      // measurable share of this hot path (docs/benchmarks.md).
      if (outcome.kind === 'queued') logger.debug(LOG_MESSAGES.webhookQueued, fields);
      else logger.error(LOG_MESSAGES.webhookEnqueueFailed, { ...fields, error: outcome.error });
      return;
    }
    case 'invalid_signature':
      logger.warn(LOG_MESSAGES.webhookSignatureRejected, { reason: outcome.reason });
      return;
    case 'no_body':
      logger.warn(LOG_MESSAGES.webhookSignatureRejected, { reason: 'missing_body' });
      return;
    case 'source_not_allowed':
      logger.warn(LOG_MESSAGES.webhookSourceNotAllowed, { sourceIp: outcome.sourceIp });
      return;
    case 'foreign_connection':
      logger.warn(LOG_MESSAGES.webhookForeignConnection, { connectionId: outcome.connectionId });
      return;
    case 'too_large':
      logger.warn(LOG_MESSAGES.webhookTooLarge, { bytes: outcome.bytes });
      return;
    case 'not_an_event':
      logger.warn(LOG_MESSAGES.webhookNotTelnyxEvent, { error: outcome.error });
      return;
  }
}
