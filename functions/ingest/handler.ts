import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadIngestConfig } from '../../shared/config/ingest-config.js';
import { LOG_MESSAGES } from '../../shared/logging/log-messages.js';
import { createLogger, maskNumber } from '../../shared/logging/logger.js';
import { createSqsClient } from '../../shared/queue/create-sqs-client.js';
import { type AcceptWebhookOutcome, acceptWebhook } from '../../shared/webhook/accept-webhook.js';
import { createSignatureVerifier } from '../../shared/webhook/verify-signature.js';
import { type JsonHttpResponse, webhookResponse } from '../../shared/webhook/webhook-response.js';

// Created once per container. A bad configuration throws here, so the function fails at init
// with a ConfigError naming every offending variable instead of answering webhooks wrongly.
const config = loadIngestConfig(process.env);
const logger = createLogger('ingest');
const deps = {
  verifySignature: createSignatureVerifier({
    publicKeys: config.telnyxPublicKeys,
    toleranceSeconds: config.webhookToleranceSeconds,
  }),
  sqs: createSqsClient(),
  queueUrl: config.queueUrl,
};

async function ingest(event: APIGatewayProxyEventV2): Promise<JsonHttpResponse> {
  const outcome = await acceptWebhook(event, deps);
  logOutcome(outcome);
  return webhookResponse(outcome);
}

// Log fields are chosen so no key, signature or full phone number is ever written.
function logOutcome(outcome: AcceptWebhookOutcome): void {
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
    case 'too_large':
      logger.warn(LOG_MESSAGES.webhookTooLarge, { bytes: outcome.bytes });
      return;
    case 'not_an_event':
      logger.warn(LOG_MESSAGES.webhookNotTelnyxEvent, { error: outcome.error });
      return;
  }
}

/** The Lambda entry point for `POST /webhooks/telnyx` (API Gateway HTTP API, payload 2.0). */
export const handler = middy(ingest).use(injectLambdaContext(logger));
