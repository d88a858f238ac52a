import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Tuning for the SQS client; every field has a latency-minded default. */
export interface SqsClientOptions {
  /** Bound on establishing a TCP/TLS connection. */
  readonly connectionTimeoutMs?: number;
  /** Bound on one whole HTTP request and response. */
  readonly requestTimeoutMs?: number;
  /** Attempts per command, including the first. */
  readonly maxAttempts?: number;
  readonly maxSockets?: number;
  /**
   * Send to the QueueUrl's host (the SDK's default) rather than the resolved endpoint. False
   * when the URL is derived from an event's ARN, so a configured endpoint (a local SQS) wins.
   */
  readonly useQueueUrlAsEndpoint?: boolean;
}

// A webhook waits on this send: a few quick attempts beat one long wait, and the worst case
// (3 x (1 s + 2 s) plus back-off) stays well inside API Gateway's 30 s integration limit.
const defaults = {
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  maxAttempts: 3,
  maxSockets: 50,
  useQueueUrlAsEndpoint: true,
} as const;

/**
 * Creates the SQS client once per container, with keep-alive sockets so warm invocations skip
 * the TCP and TLS handshakes. Region, credentials and `AWS_ENDPOINT_URL_SQS` (a local server)
 * come from the environment as the SDK reads them.
 */
export function createSqsClient(
  options: SqsClientOptions = {},
  /** Further SDK settings (the benchmark measures options this way before any is kept). */
  config: Omit<SQSClientConfig, 'requestHandler'> = {},
): SQSClient {
  const { connectionTimeoutMs, requestTimeoutMs, maxAttempts, maxSockets, useQueueUrlAsEndpoint } =
    {
      ...defaults,
      ...options,
    };
  const agentOptions = { keepAlive: true, maxSockets };
  return new SQSClient({
    ...config,
    maxAttempts,
    useQueueUrlAsEndpoint,
    // Resolve the middleware stack once per command class instead of cloning and sorting the
    // ~30-entry stack on every send; safe because no command here adds its own middleware.
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without this a breached requestTimeout only logs a warning and the request hangs on.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}
