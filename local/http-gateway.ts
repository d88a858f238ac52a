import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';
import { lambdaContext } from './lambda-context.js';
import { apiGatewayEvent } from './lambda-events.js';
import { closeServer, listen, readBody, replyJson } from './servers.js';

/** The ingest handler's shape, as API Gateway invokes it. */
export type IngestHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A reply from one of the gateway's extra routes. */
export interface RouteReply {
  readonly status: number;
  readonly body: unknown;
}

export interface HttpGatewayOptions {
  /** The loopback port to listen on (0: a free one). */
  readonly port: number;
  readonly ingest: IngestHandler;
  /** Sees each webhook's raw body and the handler's answer (for the call timelines). */
  readonly onWebhook?: (rawBody: string, result: APIGatewayProxyStructuredResultV2) => void;
  /** Serves other paths (the local read-only endpoints); `undefined` means 404. */
  readonly route?: (method: string, url: URL, body: string) => Promise<RouteReply | undefined>;
}

/**
 * Stands in for API Gateway (HTTP API, payload 2.0): `POST /webhooks/telnyx` becomes the event
 * the ingest Lambda gets, raw body untouched and header names lower-cased, and the handler's
 * result becomes the HTTP response. Returns its base URL and `stop`.
 */
export async function startHttpGateway(options: HttpGatewayOptions) {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      // API Gateway answers 500 when the integration fails; Telnyx then re-delivers.
      if (!res.headersSent) replyJson(res, 500, { message: 'Internal Server Error' });
      console.error('gateway: handler failed:', error);
    });
  });
  const port = await listen(server, options.port, '127.0.0.1');
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpGatewayOptions) {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (method === 'POST' && url.pathname === WEBHOOK_PATH) {
    const result = await options.ingest(webhookEvent(req, body), lambdaContext('ingest', 10_000));
    options.onWebhook?.(body, result);
    res.writeHead(result.statusCode ?? 200, stringHeaders(result.headers));
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : result.body);
    return;
  }
  const routed = await options.route?.(method, url, body);
  if (routed) return replyJson(res, routed.status, routed.body);
  replyJson(res, 404, { message: 'Not Found' });
}

function webhookEvent(req: IncomingMessage, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  // Node lower-cases names already; API Gateway joins repeated headers with commas.
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const protocol = `HTTP/${req.httpVersion}`;
  return apiGatewayEvent(body, headers, { protocol, sourceIp: req.socket.remoteAddress });
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']) {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}
