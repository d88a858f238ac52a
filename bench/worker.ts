import type { SQSEvent } from 'aws-lambda';
import { Redis } from 'ioredis';
import Telnyx from 'telnyx';
import { lambdaContext } from '../local/lambda-context.js';
import { sqsRecord } from '../local/lambda-events.js';
import { callControlId, telnyxEvent } from '../local/webhook-events.js';
import { capacityKeys } from '../shared/capacity/keys.js';
import { DEFAULT_RECLAIM_BATCH } from '../shared/capacity/limiter.js';
import { acquireArguments } from '../shared/capacity/script-arguments.js';
import { ACQUIRE_SCRIPT } from '../shared/capacity/scripts.js';
import { commandId } from '../shared/telnyx/call-control.js';
import {
  createTelnyxCallControl,
  fixedClientSource,
} from '../shared/telnyx/telnyx-call-control.js';
import { normalizeNumber } from '../shared/tenants/normalize-number.js';
import { didKey } from '../shared/tenants/resolve-tenant.js';
import { BENCH_DID, BENCH_TENANT, type BenchEnvironment, progress } from './environment.js';
import { rawPoster } from './http-post.js';
import { describeShares, profileByOwner } from './profile.js';
import { type Section, verdict } from './report.js';
import { fmt, fmtSummary, interleave, perCallMicros, type Summary, summarize } from './stats.js';

const ROUNDS = 11;
const PER_ROUND = 200;

/** A batch of one `call.initiated` for a new call to the benchmark tenant's number. */
function initiatedBatch(): SQSEvent {
  return { Records: [sqsRecord(telnyxEvent('call.initiated', { to: BENCH_DID }))] };
}

/**
 * Worker: call set-ups per second through the real handler (resolution, acquire, answer at
 * the simulator) against a bare loop making the same Redis calls and one HTTP POST.
 */
export async function measureWorker(env: BenchEnvironment): Promise<Section> {
  const e = env.env;
  const redis = new Redis(e.REDIS_URL as string, { protocol: 2 });
  const sha = (await redis.script('LOAD', ACQUIRE_SCRIPT.lua)) as string;
  const keys = capacityKeys({ capPrefix: 'cap', tenantmapPrefix: 'tenantmap' });
  const did = didKey('tenantmap', normalizeNumber(BENCH_DID));
  const poster = rawPoster(env.telnyx.baseUrl);
  const basePath = new URL(env.telnyx.baseUrl).pathname;
  const telnyx = new Telnyx({ apiKey: e.TELNYX_API_KEY as string, baseURL: env.telnyx.baseUrl });
  const callControl = createTelnyxCallControl(fixedClientSource(telnyx), {
    voice: 'female',
    language: 'en-US',
  });
  const context = lambdaContext('worker');

  // The limiter's exact EVALSHA: same script, keys and arguments as `tryAcquire`.
  const limits = {
    globalConcurrencyCap: Number(e.GLOBAL_CONCURRENCY_CAP),
    tenantConcurrencyCapDefault: Number(e.TENANT_CONCURRENCY_CAP_DEFAULT),
    tenantCallsPerMinCapDefault: Number(e.TENANT_CALLS_PER_MIN_CAP_DEFAULT),
    capacityTtlSeconds: Number(e.CAPACITY_TTL_SECONDS),
    reclaimBatchSize: DEFAULT_RECLAIM_BATCH,
  };
  const acquire = (id: string) =>
    redis.evalsha(
      sha,
      ACQUIRE_SCRIPT.numberOfKeys,
      ...acquireArguments(keys, limits, {
        callControlId: id,
        tenantId: BENCH_TENANT,
        now: new Date(),
      }),
    );
  const answerBody = (id: string) =>
    JSON.stringify({ client_state: 'eyJhcHAiOiJ0Y2ExIn0=', command_id: commandId(id, 'answer') });
  const answerHeaders = {
    'content-type': 'application/json',
    authorization: `Bearer ${e.TELNYX_API_KEY}`,
  };
  const answerPath = (id: string) => `${basePath}/calls/${encodeURIComponent(id)}/actions/answer`;

  let batches: SQSEvent[] = [];
  let ids: string[] = [];
  const fresh = () => {
    batches = Array.from({ length: PER_ROUND }, initiatedBatch);
    ids = Array.from({ length: PER_ROUND }, callControlId);
  };
  fresh();
  const variants = {
    handler: async () => {
      fresh();
      return perCallMicros(PER_ROUND, async (i) => {
        const result = await env.worker(batches[i] as SQSEvent, context);
        if (result?.batchItemFailures.length) throw new Error('worker failed a record');
      });
    },
    bare: async () => {
      fresh();
      return perCallMicros(PER_ROUND, async (i) => {
        const id = ids[i] as string;
        if ((await redis.get(did)) !== BENCH_TENANT) throw new Error('no tenant mapping');
        if ((await acquire(id)) !== 'ok') {
          throw new Error('bare acquire was not admitted');
        }
        const status = await poster.post(answerPath(id), answerBody(id), answerHeaders);
        if (status !== 200) throw new Error(`simulator answered ${status}`);
      });
    },
    get: () => perCallMicros(PER_ROUND, () => redis.get(did)),
    evalsha: async () => {
      fresh();
      return perCallMicros(PER_ROUND, (i) => acquire(ids[i] as string));
    },
    rawPost: async () => {
      fresh();
      return perCallMicros(PER_ROUND, (i) =>
        poster.post(answerPath(ids[i] as string), answerBody(ids[i] as string), answerHeaders),
      );
    },
    sdkAnswer: async () => {
      fresh();
      return perCallMicros(PER_ROUND, (i) =>
        callControl.answer(ids[i] as string, {
          clientState: 'eyJhcHAiOiJ0Y2ExIn0=',
          commandId: commandId(ids[i] as string, 'answer'),
        }),
      );
    },
  };
  progress('worker: warming up');
  await interleave(2, variants);
  progress(`worker: ${ROUNDS} rounds of ${PER_ROUND} call set-ups per variant`);
  const results = await interleave(ROUNDS, variants);
  const profile = await profileByOwner(() => variants.handler());
  redis.disconnect();
  poster.close();

  const s = Object.fromEntries(
    Object.entries(results).map(([name, values]) => [name, summarize(values as number[])]),
  ) as Record<keyof typeof variants, Summary>;
  const rate = (us: number) => 1e6 / us;
  const ratio = summarize(
    results.handler.map((us, i) => rate(us) / rate(results.bare[i] as number)),
  );
  const rateSummary = (x: Summary) =>
    `${fmt(rate(x.median))}/s (${fmt(rate(x.max))}-${fmt(rate(x.min))})`;
  const us = (x: Summary) => fmtSummary(x, ' us');
  const m = (x: Summary) => x.median;
  return {
    title: 'Worker',
    method:
      `${ROUNDS} interleaved rounds of ${PER_ROUND} sequential call set-ups per variant. The handler ` +
      'gets a batch of one `call.initiated` for a new call (GET tenant, EVALSHA acquire, answer via ' +
      'the `telnyx` SDK to the loopback simulator; Powertools batch, logger and metrics on, output ' +
      'to /dev/null). The bare loop makes GET + EVALSHA (same script, keys, arguments) on its own ' +
      'ioredis connection and one keep-alive `node:http` POST of an answer to the same simulator. ' +
      'Ratio = handler rate / bare rate, per round, median.',
    rows: [
      {
        figure: 'call set-ups per second (1 call per batch)',
        measured: rateSummary(s.handler),
        baseline: `bare loop ${rateSummary(s.bare)}`,
        ratio: `${fmt(ratio.median)} (${fmt(ratio.min)}-${fmt(ratio.max)})`,
        goal: '>= 0.7',
        status: verdict(ratio.median >= 0.7),
      },
    ],
    notes: [
      'Where the time goes (median us per call set-up):',
      '',
      '| Part | us |',
      '| --- | --- |',
      `| worker handler, whole set-up | ${us(s.handler)} |`,
      `| bare loop, whole set-up | ${us(s.bare)} |`,
      `| Redis GET (tenant) alone | ${us(s.get)} |`,
      `| Redis EVALSHA acquire alone | ${us(s.evalsha)} |`,
      `| raw \`node:http\` POST answer alone | ${us(s.rawPost)} |`,
      `| \`telnyx\` SDK \`calls.actions.answer\` alone (project adapter) | ${us(s.sdkAnswer)} |`,
      '',
      `The SDK answer costs ${fmt(m(s.sdkAnswer) - m(s.rawPost))} us more than the raw POST; ` +
        `the handler spends ${fmt(m(s.handler) - m(s.get) - m(s.evalsha) - m(s.sdkAnswer))} us ` +
        'outside those three calls (SQS record parsing, zod, batch processor, middy, logging, metrics).',
      '',
      `CPU profile of ${PER_ROUND} handler set-ups (this process also runs the simulator), self time by owner: ${describeShares(profile)}.`,
    ],
  };
}
