import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { INGEST_METRIC_NAMES, METRICS_NAMESPACE } from '../../shared/calls/metric-names.js';
import { ENV_NAMES } from '../../shared/config/env-names.js';
import { loadIngestConfig } from '../../shared/config/ingest-config.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createSqsClient } from '../../shared/queue/create-sqs-client.js';
import { acceptWebhook } from '../../shared/webhook/accept-webhook.js';
import { logWebhookOutcome } from '../../shared/webhook/log-webhook-outcome.js';
import { createSourceAllowlist } from '../../shared/webhook/source-allowlist.js';
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
  allowedSource:
    config.sourceCidrs.length > 0 ? createSourceAllowlist(config.sourceCidrs) : undefined,
  connectionIds: new Set(config.connectionIds),
};

async function ingest(event: APIGatewayProxyEventV2): Promise<JsonHttpResponse> {
  const outcome = await acceptWebhook(
    { ...event, sourceIp: event.requestContext?.http?.sourceIp },
    deps,
  );
  logWebhookOutcome(outcome, logger);
  if (outcome.kind === 'invalid_signature') await countRejection();
  return webhookResponse(outcome);
}

// Only rejections are counted, and flushed at once: a genuine webhook pays no metric cost,
// not even loading the metrics library at cold start (it loads on the first rejection). A
// wrong or rotated public key turns every delivery into one, which the alarm catches.
let rejectionMetrics: Promise<(count: number) => void> | undefined;
async function countRejection(): Promise<void> {
  rejectionMetrics ??= import('@aws-lambda-powertools/metrics').then(({ Metrics, MetricUnit }) => {
    const metrics = new Metrics({
      namespace: process.env[ENV_NAMES.metricsNamespace] ?? METRICS_NAMESPACE,
      serviceName: 'ingest',
    });
    return (count: number) => {
      metrics.addMetric(INGEST_METRIC_NAMES.signatureRejected, MetricUnit.Count, count);
      metrics.publishStoredMetrics();
    };
  });
  (await rejectionMetrics)(1);
}

/** The Lambda entry point for `POST /webhooks/telnyx` (API Gateway HTTP API, payload 2.0). */
export const handler = middy(ingest).use(injectLambdaContext(logger));
