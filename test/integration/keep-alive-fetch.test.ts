import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'telnyx';
import { keepAliveFetch } from '../../shared/http/keep-alive-fetch.js';
import { createTelnyxClient } from '../../shared/telnyx/create-telnyx-client.js';

// The real `telnyx` SDK driven through the adapter against a loopback server: what the SDK
// reads from a reply (status, headers, JSON, errors, retries, its timeout) must all hold.

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly socketPort: number | undefined;
}

type Reply = (res: ServerResponse) => void;

let server: Server;
let baseURL: string;
let seen: Seen[];
let replies: Reply[];

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body,
        socketPort: req.socket.remotePort,
      });
      const reply = replies.shift();
      if (reply) reply(res); // no reply queued: the request hangs (a timeout case)
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  replies = [];
});

const client = (options: { maxRetries?: number; timeoutMs?: number } = {}) =>
  createTelnyxClient({
    apiKey: 'KEY_test',
    baseURL,
    maxRetries: options.maxRetries ?? 0,
    timeoutMs: options.timeoutMs ?? 2000,
  });

test('a command goes out as the SDK builds it and its JSON reply comes back parsed', async () => {
  replies.push(json(200, { data: { result: 'ok' } }));
  const result = await client().calls.actions.answer('v3:call-1', {
    client_state: 'c3RhdGU=',
    command_id: 'cmd-1',
  });
  expect(result).toEqual({ data: { result: 'ok' } });
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ method: 'POST', url: '/v2/calls/v3:call-1/actions/answer' });
  expect(seen[0]?.headers.authorization).toBe('Bearer KEY_test');
  expect(seen[0]?.headers['content-type']).toBe('application/json');
  expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
    client_state: 'c3RhdGU=',
    command_id: 'cmd-1',
  });
});

test("a Telnyx error reply becomes the SDK's APIError with status, body and headers", async () => {
  replies.push(
    json(
      422,
      { errors: [{ code: '90018', title: 'Call has already ended' }] },
      { 'x-request-id': 'req-1' },
    ),
  );
  const error = await client()
    .calls.actions.hangup('v3:call-2', { command_id: 'cmd-2' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(APIError);
  const apiError = error as APIError;
  expect(apiError.status).toBe(422);
  expect(apiError.error).toEqual({ errors: [{ code: '90018', title: 'Call has already ended' }] });
  expect(apiError.headers?.get('x-request-id')).toBe('req-1');
});

test('the SDK still retries a 5xx and succeeds on the next attempt', async () => {
  replies.push(json(503, { errors: [] }, { 'retry-after-ms': '10' }));
  replies.push(json(200, { data: { result: 'ok' } }));
  const result = await client({ maxRetries: 1 }).calls.actions.answer('v3:call-3', {
    command_id: 'cmd-3',
  });
  expect(result).toEqual({ data: { result: 'ok' } });
  expect(seen.map((s) => s.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
});

test("the SDK's timeout aborts a request that gets no reply", async () => {
  const started = Date.now();
  const error = await client({ timeoutMs: 200 })
    .calls.actions.answer('v3:call-4', { command_id: 'cmd-4' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  expect(Date.now() - started).toBeLessThan(1500);
  expect(seen).toHaveLength(1);
});

test('a refused connection is an APIConnectionError', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = createTelnyxClient({
    apiKey: 'KEY_test',
    baseURL: `http://127.0.0.1:${port}/v2`,
    maxRetries: 0,
    timeoutMs: 2000,
  });
  const error = await refused.calls.actions
    .answer('v3:call-5', { command_id: 'cmd-5' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(APIConnectionError);
  expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
});

test('sequential requests reuse one kept-alive connection', async () => {
  const telnyx = client();
  for (let i = 0; i < 3; i += 1) {
    replies.push(json(200, { data: { result: 'ok' } }));
    await telnyx.calls.actions.answer(`v3:call-6-${i}`, { command_id: `cmd-6-${i}` });
  }
  expect(new Set(seen.map((s) => s.socketPort)).size).toBe(1);
});

test('an already aborted signal rejects before anything is sent', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await keepAliveFetch()(`${baseURL}/calls`, { signal: controller.signal }).catch(
    (e: unknown) => e,
  );
  expect((error as Error).name).toBe('AbortError');
  expect(seen).toHaveLength(0);
});

test('a reply body can be read as text and as JSON, and arrives whole', async () => {
  const big = { data: 'x'.repeat(200_000) };
  replies.push(json(200, big));
  const response = await keepAliveFetch()(`${baseURL}/big`, { method: 'GET' });
  expect(response.ok).toBe(true);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual(big);
  expect((await response.text()).length).toBe(JSON.stringify(big).length);
});
