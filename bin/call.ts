import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEV_KEYS_PATH, loadOrCreateDevKeys } from '../local/dev-keys.js';
import { DEFAULT_LOCAL_PORT } from '../local/handler-env.js';
import { pipelineClient } from '../local/pipeline-client.js';
import { readPipelineState } from '../local/pipeline-state.js';
import { formatStory, shortCallId } from '../local/timeline-format.js';
import { waitForCalls } from '../local/wait-for-calls.js';
import { callEventBody, newCall, postSignedWebhook } from '../local/webhook-events.js';
import { parseNumber } from '../shared/tenants/admin-fields.js';
import { WEBHOOK_PATH } from '../shared/webhook/webhook-path.js';

const USAGE = `Usage: npm run call -- [--to +13125550199] [--from +13125550100] [--count 1]
                       [--hangup-after 5] [--url http://127.0.0.1:${DEFAULT_LOCAL_PORT}]

Simulates inbound calls against a running \`npm start\`: posts signed call.initiated webhooks
(dev key in ${DEV_KEYS_PATH}), one after the other, then prints each call's timeline. An accepted
caller hangs up --hangup-after seconds after the answer. --url defaults to the running pipeline.
Exits 1 when a call has not ended --hangup-after + 15 seconds after the last was posted.`;

const { values } = parseArgs({
  options: {
    to: { type: 'string', default: '+13125550199' },
    from: { type: 'string', default: '+13125550100' },
    count: { type: 'string', default: '1' },
    'hangup-after': { type: 'string', default: '5' },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const fail = (message: string, code = 2): never => {
  console.error(`error: ${message}`);
  process.exit(code);
};
const count = Number(values.count);
const hangupAfter = Number(values['hangup-after']);
if (!Number.isSafeInteger(count) || count < 1) fail('--count must be a positive integer');
if (!(hangupAfter >= 0)) fail('--hangup-after must be a number of seconds >= 0');
const from = parseNumber(values.from);
if (!from.ok) fail(`--from: ${from.error}`);
if (!existsSync(DEV_KEYS_PATH))
  fail(`no ${DEV_KEYS_PATH}: start the pipeline first (npm start)`, 1);

const baseUrl =
  values.url ?? readPipelineState()?.baseUrl ?? `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;
const client = pipelineClient(baseUrl);
const health = await client.health().catch((error: Error) => {
  return fail(`no local pipeline at ${baseUrl} (${error.message}): run npm start`, 1);
});
if (health.telnyx !== 'simulator') {
  fail('the pipeline drives the real Telnyx API; simulated calls need its simulator', 1);
}

// Posted one after the other, so calls meet the caps in the order they are numbered.
const { privateKey } = loadOrCreateDevKeys(DEV_KEYS_PATH);
const calls: Array<ReturnType<typeof newCall>> = [];
for (let n = 1; n <= count; n += 1) {
  // The dialed number goes out as given: the worker normalises it, as it would Telnyx's.
  const call = newCall(from.ok ? from.value : '', values.to);
  await client.planHangup(call.callControlId, hangupAfter);
  const body = callEventBody('call.initiated', call, { state: 'parked' });
  const response = await postSignedWebhook(`${baseUrl}${WEBHOOK_PATH}`, body, privateKey);
  console.log(
    `call ${n}/${count} ${shortCallId(call.callControlId)} ${call.from} -> ${call.to}: ` +
      `call.initiated posted, HTTP ${response.status} ${response.body}`,
  );
  calls.push(call);
}

// Each timeline is printed as its call ends, so the wait shows progress; quiet stretches say
// how many calls are still up.
const timeoutSeconds = hangupAfter + 15;
console.log(
  `\nwaiting for ${count === 1 ? 'the call' : `${count} calls`} to end ` +
    `(an accepted caller hangs up ${hangupAfter} s after the answer; giving up after ${timeoutSeconds} s)`,
);
const stories = await waitForCalls(
  client,
  calls.map((call) => call.callControlId),
  {
    timeoutMs: timeoutSeconds * 1000,
    onProgress: (progress) => {
      if (progress.kind === 'waiting') {
        console.log(
          `  ... ${progress.inProgress} of ${count} still in progress after ${Math.round(progress.elapsedMs / 1000)} s`,
        );
        return;
      }
      const call = calls[progress.index];
      console.log(
        formatStory(
          progress.story,
          `\ncall ${progress.index + 1}/${count}  ${call?.callControlId}`,
        ),
      );
    },
  },
);
let unfinished = 0;
for (const [i, story] of stories.entries()) {
  if (story?.done) continue;
  unfinished += 1;
  const title = `\ncall ${i + 1}/${count}  ${calls[i]?.callControlId}`;
  console.log(story ? formatStory(story, title) : `${title}\n  (the pipeline never saw it)`);
  console.log(`  ... not over after ${timeoutSeconds} s (timed out waiting)`);
}
process.exitCode = unfinished > 0 ? 1 : 0;
