import { DEV_KEYS_PATH } from '../local/dev-keys.js';
import type { DevPipeline } from '../local/dev-pipeline.js';
import { nextSteps } from '../local/next-steps.js';
import { PIPELINE_STATE_PATH } from '../local/pipeline-state.js';
import { formatLiveEntry } from '../local/timeline-format.js';

// npm start: the whole system on this machine around the real handlers (docs/local-development.md).
// SHOW_LOGS=1 prints every handler log line; otherwise only warnings and errors.
console.log('loading the local pipeline (the AWS SDK, ioredis, telnyx) ...');
// Imported after that line: loading the SDKs is most of the wait before the first part starts.
const { startDevPipeline } = await import('../local/dev-pipeline.js');
let pipeline: DevPipeline;
try {
  pipeline = await startDevPipeline({
    inheritEnv: true,
    devKeysPath: DEV_KEYS_PATH,
    stateFile: PIPELINE_STATE_PATH,
    // Starting takes a few seconds (redis-server, the handlers' imports): say what is under way.
    onProgress: (part) => console.log(`starting ${part} ...`),
    showLog: (line) =>
      Boolean(process.env.SHOW_LOGS) || line.level === 'WARN' || line.level === 'ERROR',
    showText: process.env.SHOW_LOGS ? () => true : undefined,
    onEntry: (id, entry) => console.log(formatLiveEntry(id, entry)),
  });
} catch (error) {
  const { code, message } = error as NodeJS.ErrnoException;
  console.error(code === 'EADDRINUSE' ? `${message}: set PORT to a free port` : message);
  process.exit(1);
}

const { env, telnyx } = pipeline;
console.log(`Local call admission pipeline is running (Ctrl-C stops it)
  webhooks   POST ${pipeline.webhookUrl}  (API Gateway -> ingest handler)
  queue      ${pipeline.queueUrl}  (local-aws-sqs FIFO -> poller -> worker handler)
  redis      ${pipeline.redisUrl}  (${pipeline.redisServer ? 'private in-memory redis-server; set REDIS_URL to use your own' : 'from REDIS_URL'})
  telnyx     ${telnyx ? `simulator ${telnyx.baseUrl}, webhooks signed with the dev key in .local/dev-keys.json` : 'real Call Control API (TELNYX_API_KEY); Telnyx must reach the webhook URL'}
  caps       global ${env.GLOBAL_CONCURRENCY_CAP}; per tenant ${env.TENANT_CONCURRENCY_CAP_DEFAULT} concurrent, ${env.TENANT_CALLS_PER_MIN_CAP_DEFAULT} per minute (overrides: npm run tenants)
  timelines  GET ${pipeline.baseUrl}/_local/calls/<call_control_id>
${nextSteps({ telnyx: telnyx ? 'simulator' : 'api', webhookUrl: pipeline.webhookUrl })}
`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  await pipeline.stop();
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
