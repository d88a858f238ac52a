import type { CallStory } from '../../local/call-timeline.js';
import { type DevPipeline, startDevPipeline } from '../../local/dev-pipeline.js';
import { pipelineClient } from '../../local/pipeline-client.js';
import { callEventBody, newCall, postSignedWebhook } from '../../local/webhook-events.js';
import { isolatedRedis } from '../support/redis.js';

/**
 * Starts the same local pipeline `npm start` runs, in-process on free ports, on a private
 * Redis database, with a throw-away key, a quick simulated speech and one call per tenant
 * unless `env` says otherwise. One per test file: the handlers read their configuration
 * when first imported.
 */
export async function startE2ePipeline(env: Record<string, string> = {}) {
  const { redis, url } = await isolatedRedis();
  const pipeline: DevPipeline = await startDevPipeline({
    port: 0,
    speakMs: 30,
    defaultHangupAfterMs: 60_000,
    env: { TENANT_CONCURRENCY_CAP_DEFAULT: '1', REDIS_URL: url, ...env },
  });
  const { privateKey } = pipeline.keys;
  const client = pipelineClient(pipeline.baseUrl);
  const telnyx = pipeline.telnyx;
  if (!telnyx) throw new Error('expected the Telnyx simulator');
  return {
    pipeline,
    redis,
    telnyx,
    client,
    /** Places a call as `npm run call` does: the caller's plan, then a signed call.initiated. */
    async call(to: string, hangupAfterSeconds = 60) {
      const call = newCall('+13125550100', to);
      await client.planHangup(call.callControlId, hangupAfterSeconds);
      const body = callEventBody('call.initiated', call, { state: 'parked' });
      const response = await postSignedWebhook(pipeline.webhookUrl, body, privateKey);
      return { id: call.callControlId, response };
    },
    /** The call's timeline once it is over (its hangup processed by the worker). */
    async finished(id: string): Promise<CallStory> {
      const story = await client.waitUntilDone(id, 10_000);
      if (!story?.done) throw new Error(`call not over: ${JSON.stringify(story, null, 2)}`);
      return story;
    },
    /** Waits until the call's timeline has an entry matching `step` and `detail`. */
    async reached(id: string, step: string, detail: RegExp): Promise<void> {
      const deadline = Date.now() + 10_000;
      const found = () =>
        pipeline.timeline.get(id)?.entries.some((e) => e.step === step && detail.test(e.detail));
      while (!found()) {
        if (Date.now() > deadline) throw new Error(`call ${id} never reached ${step} ${detail}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    actions: (id: string) => telnyx.commandsFor(id).map((c) => c.action),
    spoken: (id: string) => telnyx.commandsFor(id).find((c) => c.action === 'speak')?.body.payload,
    async stop() {
      await pipeline.stop();
      redis.disconnect();
    },
  };
}

/** The timeline's entries as `step: detail` lines, for readable assertions. */
export const steps = (story: CallStory) => story.entries.map((e) => `${e.step}: ${e.detail}`);
