import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The `fetch` signature the `telnyx` SDK accepts for its `fetch` option. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

export interface KeepAliveFetchOptions {
  /** Sockets per origin; requests beyond it queue on the agent. */
  readonly maxSockets?: number;
}

/**
 * A `fetch` for API clients over `node:http(s)` with kept-alive sockets and fully buffered
 * replies. Node's own `fetch` (undici) costs about 0.5 ms of CPU per request in its WHATWG
 * layers (request and response objects, web streams); this costs what a plain `http.request`
 * does. Give it to an SDK that takes a `fetch` option: the SDK keeps its types, retries,
 * timeouts and errors.
 *
 * What it supports is what an API client sends: a method, headers, and a string or byte body;
 * `signal` aborts the request (the SDK's timeout). A streamed request body goes to the global
 * `fetch`. The reply is a {@link BufferedResponse}.
 */
export function keepAliveFetch(options: KeepAliveFetchOptions = {}): FetchFunction {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 50 };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  return (input, init = {}) => {
    const body = init.body;
    if (input instanceof Request || (body != null && !isBufferedBody(body))) {
      return fetch(input, init);
    }
    const url = typeof input === 'string' ? new URL(input) : input;
    const https = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          agent: https ? agents.https : agents.http,
          method: init.method ?? 'GET',
          headers: plainHeaders(init.headers),
        },
        (res) => readReply(res, url.href).then(resolve, reject),
      );
      req.on('error', reject);
      if (signal) {
        const onAbort = () => req.destroy(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        req.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      req.end(body ?? undefined);
    });
  };
}

function isBufferedBody(body: NonNullable<RequestInit['body']>): body is string | Uint8Array {
  return typeof body === 'string' || body instanceof Uint8Array;
}

function plainHeaders(headers: RequestInit['headers']): OutgoingHttpHeaders {
  if (!headers) return {};
  if (headers instanceof Headers) {
    const plain: Record<string, string> = {};
    headers.forEach((value, name) => {
      plain[name] = value;
    });
    return plain;
  }
  return Array.isArray(headers)
    ? Object.fromEntries(headers)
    : { ...(headers as Record<string, string>) };
}

// As fetch does: an error named AbortError, caused by the signal's reason (the SDK tells its own
// timeout apart by the name). A plain Error rather than a DOMException, so `instanceof Error`
// holds in every realm the SDK may check it from.
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('This operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
  });
}

function readReply(res: IncomingMessage, url: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      resolve(new BufferedResponse(res, bytes, url) as unknown as Response);
    });
  });
}

/**
 * The reply as an API client reads it: status, headers, url, and the body as text or JSON.
 * It stands in for `Response` without its web-stream body, which is most of undici's cost;
 * `body` is null and the body can be read more than once. Members an SDK could reach that are
 * not here (`formData`, `blob`, a streamed `body`) are absent on purpose: the `telnyx` SDK reads
 * only `status`, `ok`, `headers`, `url`, `body` (to cancel it), `json()` and `text()`, and the
 * adapter's tests drive the real SDK through success, error, retry and timeout.
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly redirected = false;
  readonly type = 'basic';
  readonly body = null;
  readonly bodyUsed = false;

  constructor(
    res: Pick<IncomingMessage, 'statusCode' | 'statusMessage' | 'rawHeaders'>,
    private readonly bytes: Buffer,
    readonly url: string,
  ) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.headers = new Headers();
    const raw = res.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      this.headers.append(raw[i] as string, raw[i + 1] as string);
    }
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.bytes.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.bytes.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.bytes).buffer;
  }
}
