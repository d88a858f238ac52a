import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { DEV_KEYS_PATH, loadOrCreateDevKeys } from '../local/dev-keys.js';
import { LOCAL_HANDLER_ENV } from '../local/handler-env.js';
import { type EnvVarsFile, FUNCTIONS } from '../local/invoke-function.js';
import { nowSeconds, type SigningKeys, signatureHeaders } from '../local/webhook-signing.js';

/** Where the local services listen unless told otherwise (flags of `bin/sign-events.ts`). */
export const LOCAL_ENDPOINTS = {
  queueUrl: 'http://127.0.0.1:9324/123456789012/call-events.fifo',
  redisUrl: 'redis://127.0.0.1:6379',
  telnyxBaseUrl: 'http://127.0.0.1:4010/v2',
} as const;

/**
 * Where `npm run events` writes: under the git-ignored `.local/`, so signing never modifies a
 * tracked file. The committed `events/` stay the templates.
 */
export const SIGNED_EVENTS_DIR = '.local/events';

/** What `signEvents` reads and writes; every field has a default. */
export interface SignEventsOptions {
  /** Folder whose `ingest*.json` API Gateway events are the templates (default `events`). */
  readonly eventsDir?: string;
  /** Folder the signed events and `env.json` go to (default {@link SIGNED_EVENTS_DIR}). */
  readonly outDir?: string;
  readonly keysPath?: string;
  /** Overrides for the env-vars file (and of values already in it). */
  readonly endpoints?: Partial<Record<keyof typeof LOCAL_ENDPOINTS, string>>;
  /** Unix seconds to sign with; defaults to now. */
  readonly now?: number;
}

/**
 * Writes a copy of every `ingest*.json` event signed with the development key (a new event
 * id, time and signature, since webhooks older than 300 s are refused) and the env-vars file
 * holding the matching public key; values edited in an earlier env-vars file are kept.
 * Returns the files written.
 */
export function signEvents(options: SignEventsOptions = {}): string[] {
  const eventsDir = options.eventsDir ?? 'events';
  const outDir = options.outDir ?? SIGNED_EVENTS_DIR;
  const envFile = join(outDir, 'env.json');
  const keys = loadOrCreateDevKeys(options.keysPath ?? DEV_KEYS_PATH);
  const now = options.now ?? nowSeconds();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const file of readdirSync(eventsDir).filter((f) => /^ingest.*\.json$/.test(f))) {
    const event = JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as APIGatewayProxyEventV2;
    writeJson(join(outDir, file), signApiEvent(event, keys, now));
    written.push(join(outDir, file));
  }
  for (const file of readdirSync(eventsDir).filter((f) => /^worker.*\.json$/.test(f))) {
    const event = JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as SQSEvent;
    writeJson(join(outDir, file), refreshSqsEvent(event, now));
    written.push(join(outDir, file));
  }
  const current = existsSync(envFile)
    ? (JSON.parse(readFileSync(envFile, 'utf8')) as EnvVarsFile)
    : {};
  writeJson(envFile, localEnvVars(current, keys.publicKeyBase64, options.endpoints ?? {}));
  return [...written, envFile];
}

/**
 * The SQS batch with every webhook's `occurred_at` set to `now`: the worker sets up no call
 * whose `call.initiated` is older than its set-up window (60 s).
 */
export function refreshSqsEvent(event: SQSEvent, now: number): SQSEvent {
  const time = new Date(now * 1000).toISOString();
  return {
    Records: event.Records.map((record) => {
      const webhook = JSON.parse(record.body);
      webhook.data = { ...webhook.data, occurred_at: time };
      return { ...record, body: JSON.stringify(webhook) };
    }),
  };
}

/** The event with a fresh body id and time, signed as Telnyx signs `${timestamp}|${body}`. */
export function signApiEvent(
  event: APIGatewayProxyEventV2,
  keys: Pick<SigningKeys, 'privateKey'>,
  now: number,
): APIGatewayProxyEventV2 {
  const time = new Date(now * 1000);
  const webhook = JSON.parse(event.body ?? '{}');
  // A new event id, because the queue drops a repeated one (it is the deduplication id).
  webhook.data = { ...webhook.data, id: randomUUID(), occurred_at: time.toISOString() };
  const body = JSON.stringify(webhook);
  return {
    ...event,
    headers: {
      ...event.headers,
      'content-length': String(Buffer.byteLength(body)),
      ...signatureHeaders(keys, now, body),
    },
    requestContext: {
      ...event.requestContext,
      requestId: randomUUID(),
      time: apiGatewayTime(time),
      timeEpoch: time.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

/**
 * The env-vars file for local services: values already there win over the defaults (a
 * developer's own Redis URL survives re-signing), `endpoints` win over both, and the public
 * key is always the one given (the dev key's).
 */
export function localEnvVars(
  current: EnvVarsFile,
  publicKeyBase64: string,
  endpoints: NonNullable<SignEventsOptions['endpoints']>,
): EnvVarsFile {
  const { ingest, worker } = FUNCTIONS;
  const queueUrl = endpoints.queueUrl ?? LOCAL_ENDPOINTS.queueUrl;
  const given: Record<'ingest' | 'worker', Record<string, string>> = {
    ingest: endpoints.queueUrl
      ? { QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_SQS: new URL(queueUrl).origin }
      : {},
    worker: {
      ...(endpoints.redisUrl ? { REDIS_URL: endpoints.redisUrl } : {}),
      ...(endpoints.telnyxBaseUrl ? { TELNYX_BASE_URL: endpoints.telnyxBaseUrl } : {}),
    },
  };
  return {
    ...current,
    [ingest.logicalId]: {
      ...defaultIngestEnv(queueUrl),
      ...current[ingest.logicalId],
      ...given.ingest,
      TELNYX_PUBLIC_KEY: publicKeyBase64,
    },
    [worker.logicalId]: {
      ...DEFAULT_WORKER_ENV,
      ...current[worker.logicalId],
      ...given.worker,
    },
  };
}

// The AWS_* entries are for `npm run invoke` only: SAM drops variables the template does not
// declare, passes its own credentials, and the SDK sends to the QUEUE_URL host anyway.
const defaultIngestEnv = (queueUrl: string): Record<string, string> => ({
  TELNYX_PUBLIC_KEY: '',
  QUEUE_URL: queueUrl,
  WEBHOOK_TOLERANCE_SECONDS: '300',
  LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_SQS: new URL(queueUrl).origin,
});

/** The worker's capacity settings in the env-vars file: those of every other local run. */
export const WORKER_CAPACITY_ENV = {
  TENANTMAP_PREFIX: LOCAL_HANDLER_ENV.TENANTMAP_PREFIX,
  CAP_PREFIX: LOCAL_HANDLER_ENV.CAP_PREFIX,
  GLOBAL_CONCURRENCY_CAP: LOCAL_HANDLER_ENV.GLOBAL_CONCURRENCY_CAP,
  TENANT_CONCURRENCY_CAP_DEFAULT: LOCAL_HANDLER_ENV.TENANT_CONCURRENCY_CAP_DEFAULT,
  TENANT_CALLS_PER_MIN_CAP_DEFAULT: LOCAL_HANDLER_ENV.TENANT_CALLS_PER_MIN_CAP_DEFAULT,
  CAPACITY_TTL_SECONDS: LOCAL_HANDLER_ENV.CAPACITY_TTL_SECONDS,
} as const;

// Empty secret ARNs switch the worker to the plain values below (local Redis has no AUTH).
// The template declares TELNYX_API_KEY and TELNYX_BASE_URL blank so that SAM applies these.
const DEFAULT_WORKER_ENV: Record<string, string> = {
  REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
  REDIS_AUTH_TOKEN_SECRET_ARN: '',
  ...WORKER_CAPACITY_ENV,
  TELNYX_API_KEY_SECRET_ARN: '',
  TELNYX_API_KEY: 'KEY_local_development',
  TELNYX_BASE_URL: LOCAL_ENDPOINTS.telnyxBaseUrl,
  LOG_LEVEL: 'INFO',
};

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

// API Gateway's `requestContext.time` format: 02/Jun/2025:14:00:00 +0000.
function apiGatewayTime(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = [time.getUTCHours(), time.getUTCMinutes(), time.getUTCSeconds()].map(pad);
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${clock.join(':')} +0000`;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      'events-dir': { type: 'string' },
      'out-dir': { type: 'string' },
      keys: { type: 'string' },
      'queue-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'telnyx-base-url': { type: 'string' },
    },
  });
  const written = signEvents({
    eventsDir: values['events-dir'],
    outDir: values['out-dir'],
    keysPath: values.keys,
    endpoints: {
      queueUrl: values['queue-url'],
      redisUrl: values['redis-url'],
      telnyxBaseUrl: values['telnyx-base-url'],
    },
  });
  for (const path of written) console.log(`wrote ${path}`);
  console.log('ingest events are valid for 300 s, a worker call.initiated sets up a call for 60 s');
}
