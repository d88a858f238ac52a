import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { interceptOutput } from '../local/capture-output.js';
import { DEV_KEYS_PATH } from '../local/dev-keys.js';
import {
  type EnvVarsFile,
  envFor,
  invocationFailure,
  invokeFunction,
} from '../local/invoke-function.js';
import { type LocalServices, startLocalServices } from '../local/local-system.js';
import { nowSeconds } from '../local/webhook-signing.js';
import { localEnvVars, refreshSqsEvent, signApiEvent } from './sign-events.js';

// `npm run invoke`: runs a built bundle once with a sample event, as `sam local invoke` would.
const USAGE = `usage: npm run invoke -- <ingest|worker> <event.json> [--env-vars <file>] [--build]

Without --env-vars it starts what the function talks to in this process (local SQS, a private
redis-server, the Telnyx simulator), re-signs an ingest event with the dev key (a worker event
gets a fresh occurred_at), and reports what
reached the queue or Telnyx. With --env-vars the file's endpoints are used as they are.`;

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { 'env-vars': { type: 'string' }, build: { type: 'boolean', default: false } },
  });
  const [name, eventPath] = positionals;
  if (!(name === 'ingest' || name === 'worker') || !eventPath) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let event = readJson(eventPath);
  const envFile = values['env-vars'];
  const services = envFile ? undefined : await startServices();
  try {
    const env = envFor(name, envFile ? (readJson(envFile) as EnvVarsFile) : servicesEnv(services));
    if (services && name === 'ingest') {
      event = signApiEvent(event as APIGatewayProxyEventV2, services.keys, nowSeconds());
      note(`re-signed ${eventPath} with the dev key in ${DEV_KEYS_PATH} (as npm run events does)`);
    }
    if (services && name === 'worker') {
      // The worker sets up no call whose call.initiated is older than its set-up window.
      event = refreshSqsEvent(event as SQSEvent, nowSeconds());
      note(`gave ${eventPath} a fresh occurred_at (as npm run events does)`);
    }
    // As with `sam local invoke`, the function's logs go to stderr and only the response to
    // stdout, so `npm run -s invoke -- ... | jq` works.
    const stdout = process.stdout.write.bind(process.stdout);
    interceptOutput((chunk) => process.stderr.write(chunk), [process.stdout]);
    const outcome = await invokeFunction(name, event, env, { rebuild: values.build });
    stdout(`${JSON.stringify(outcome.ok ? outcome.result : outcome.error, null, 2)}\n`);
    if (services) await reportEffects(services);
    const failure = invocationFailure(name, outcome);
    if (failure) note(`failed: ${failure}`);
    return failure ? 1 : 0;
  } finally {
    await services?.stop();
  }
}

async function startServices(): Promise<LocalServices> {
  note('no --env-vars: starting local SQS, a private redis-server and the Telnyx simulator');
  return startLocalServices({ devKeysPath: DEV_KEYS_PATH });
}

function servicesEnv(services: LocalServices | undefined): EnvVarsFile {
  if (!services) throw new Error('no services started');
  return localEnvVars({}, services.keys.publicKeyBase64, {
    queueUrl: services.queueUrl,
    redisUrl: services.redisUrl,
    telnyxBaseUrl: services.telnyx?.baseUrl,
  });
}

// What the function did outside its response: messages it queued, commands Telnyx received.
async function reportEffects(services: LocalServices): Promise<void> {
  const messages = await services.sqs.receiveMessages(services.queueUrl);
  for (const message of messages) {
    const type = (JSON.parse(message.Body ?? '{}') as { data?: { event_type?: string } }).data
      ?.event_type;
    note(`queued: ${type} (group ${message.Attributes?.MessageGroupId})`);
  }
  for (const command of services.telnyx?.commands ?? []) {
    note(`Telnyx simulator received: ${command.action} for ${command.callControlId}`);
  }
  if (messages.length === 0 && !services.telnyx?.commands.length) {
    note('nothing was queued and no Telnyx command was sent');
  }
}

function note(text: string): void {
  process.stderr.write(`invoke: ${text}\n`);
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(resolve(path), 'utf8'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Lambda freezes the sandbox after the response; a one-shot CLI exits rather than wait for
  // the bundles' Redis connection and keep-alive sockets to close.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
