import Telnyx from 'telnyx';
import { type FetchFunction, keepAliveFetch } from '../http/keep-alive-fetch.js';

export interface TelnyxClientOptions {
  /** Null only where no call is made (the SDK then fails the request, not the constructor). */
  readonly apiKey: string | null;
  readonly timeoutMs: number;
  /** Retries of 408/409/429/5xx and connection failures, on top of the first attempt. */
  readonly maxRetries: number;
  /** Overrides the SDK's base URL (tests); otherwise the SDK reads `TELNYX_BASE_URL`. */
  readonly baseURL?: string;
}

// One pool of kept-alive sockets per container, shared by every client: a client created for
// a rotated API key reuses the open connections.
let sharedFetch: FetchFunction | undefined;

/**
 * The official SDK over the project's keep-alive `fetch`: the SDK's types, retries, timeouts,
 * errors and `command_id` handling as they are, at the CPU cost of a plain `http.request`.
 */
export function createTelnyxClient(options: TelnyxClientOptions): Telnyx {
  sharedFetch ??= keepAliveFetch();
  return new Telnyx({
    apiKey: options.apiKey,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: sharedFetch,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
  });
}
