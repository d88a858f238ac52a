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
import { BufferedResponse } from '../shared/http/keep-alive-fetch.js';
import { MAX_PLAN_BYTES } from '../shared/plans/plan-schema.js';
import { RESOLVE_TENANT_PLAN_SCRIPT } from '../shared/plans/resolve-plan-script.js';
import { type CallControl, commandId } from '../shared/telnyx/call-control.js';
import { createTelnyxClient } from '../shared/telnyx/create-telnyx-client.js';
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
  const resolveSha = (await redis.script('LOAD', RESOLVE_TENANT_PLAN_SCRIPT.lua)) as string;
  const keys = capacityKeys({ capPrefix: 'cap', tenantmapPrefix: 'tenantmap' });
  const did = didKey('tenantmap', normalizeNumber(BENCH_DID));
  const poster = rawPoster(env.telnyx.baseUrl);
  const basePath = new URL(env.telnyx.baseUrl).pathname;
  const telnyx = createTelnyxClient({
    apiKey: e.TELNYX_API_KEY as string,
    timeoutMs: 5000,
    maxRetries: 2,
    baseURL: env.telnyx.baseUrl,
  });
  const speech = { voice: 'female', language: 'en-US' };
  const callControl = createTelnyxCallControl(fixedClientSource(telnyx), speech);
  // Before the adapter: the SDK on Node's own fetch (undici), same server and body.
  const defaultFetchControl = createTelnyxCallControl(
    fixedClientSource(
      new Telnyx({
        apiKey: e.TELNYX_API_KEY as string,
        baseURL: env.telnyx.baseUrl,
        timeout: 5000,
      }),
    ),
    speech,
  );
  // The SDK's own work per command (building, headers, parsing, its promise chain) with a
  // fetch that answers from memory with the adapter's own reply type: no socket, no server.
  const cannedReply = Buffer.from(JSON.stringify({ data: { result: 'ok' } }));
  const cannedHead = {
    statusCode: 200,
    statusMessage: 'OK',
    rawHeaders: ['content-type', 'application/json'],
  };
  const noNetworkControl = createTelnyxCallControl(
    fixedClientSource(
      new Telnyx({
        apiKey: e.TELNYX_API_KEY as string,
        baseURL: env.telnyx.baseUrl,
        fetch: async (url) =>
          new BufferedResponse(cannedHead, cannedReply, String(url)) as unknown as Response,
      }),
    ),
    speech,
  );
  const context = lambdaContext('worker');

  // The limiter's exact EVALSHA: same script, keys and arguments as `tryAcquire`.
  const limits = {
    globalConcurrencyCap: Number(e.GLOBAL_CONCURRENCY_CAP),
    tenantConcurrencyCapDefault: Number(e.TENANT_CONCURRENCY_CAP_DEFAULT),
    tenantCallsPerMinCapDefault: Number(e.TENANT_CALLS_PER_MIN_CAP_DEFAULT),
    capacityTtlSeconds: Number(e.CAPACITY_TTL_SECONDS),
    reclaimBatchSize: DEFAULT_RECLAIM_BATCH,
  };
  // The resolver's exact EVALSHA: the tenant and its plan in one script (what the worker runs
  // in place of the contract's GET since tenant plans).
  const resolve = () =>
    redis.evalsha(
      resolveSha,
      RESOLVE_TENANT_PLAN_SCRIPT.numberOfKeys,
      ...RESOLVE_TENANT_PLAN_SCRIPT.arguments({
        didKey: did,
        tenantcfgPrefix: 'tenantcfg',
        maxPlanBytes: String(MAX_PLAN_BYTES),
      }),
    ) as Promise<string[]>;
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

  const answerWith = (control: CallControl, id: string) =>
    control.answer(id, { clientState: 'eyJhcHAiOiJ0Y2ExIn0=', commandId: commandId(id, 'answer') });

  let batches: SQSEvent[] = [];
  let ids: string[] = [];
  const fresh = () => {
    batches = Array.from({ length: PER_ROUND }, initiatedBatch);
    ids = Array.from({ length: PER_ROUND }, callControlId);
  };
  fresh();
  // The two EVALSHAs on the bench's own connection, then `answer` the way a variant chooses.
  const bareLoop = (answer: (id: string) => Promise<unknown>) => {
    fresh();
    return perCallMicros(PER_ROUND, async (i) => {
      const id = ids[i] as string;
      if ((await resolve())[0] !== BENCH_TENANT) throw new Error('no tenant mapping');
      if ((await acquire(id)) !== 'ok') throw new Error('bare acquire was not admitted');
      await answer(id);
    });
  };
  const variants = {
    handler: async () => {
      fresh();
      return perCallMicros(PER_ROUND, async (i) => {
        const result = await env.worker(batches[i] as SQSEvent, context);
        if (result?.batchItemFailures.length) throw new Error('worker failed a record');
      });
    },
    bare: () =>
      bareLoop(async (id) => {
        const status = await poster.post(answerPath(id), answerBody(id), answerHeaders);
        if (status !== 200) throw new Error(`simulator answered ${status}`);
      }),
    bareSdk: () => bareLoop((id) => answerWith(callControl, id)),
    resolve: () => perCallMicros(PER_ROUND, () => resolve()),
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
      return perCallMicros(PER_ROUND, (i) => answerWith(callControl, ids[i] as string));
    },
    sdkDefaultFetch: async () => {
      fresh();
      return perCallMicros(PER_ROUND, (i) => answerWith(defaultFetchControl, ids[i] as string));
    },
    sdkNoNetwork: async () => {
      fresh();
      return perCallMicros(PER_ROUND, (i) => answerWith(noNetworkControl, ids[i] as string));
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
  // Per round, against that round's baseline, then the median (as every ratio here).
  const perRound = (top: number[], bottom: number[]) =>
    summarize(top.map((value, i) => value / (bottom[i] as number)));
  const ratio = perRound(results.bare, results.handler); // rate ratio = inverse time ratio
  const sdkFloor = perRound(results.bare, results.bareSdk);
  const adapter = perRound(results.sdkAnswer, results.rawPost);
  const defaultFetch = perRound(results.sdkDefaultFetch, results.rawPost);
  const adapterFloor = perRound(
    results.rawPost.map((raw, i) => raw + (results.sdkNoNetwork[i] as number)),
    results.rawPost,
  );
  const ratioText = (x: Summary, unit = '') =>
    `${fmt(x.median)}${unit} (${fmt(x.min)}-${fmt(x.max)})`;
  const rateSummary = (x: Summary) =>
    `${fmt(rate(x.median))}/s (${fmt(rate(x.max))}-${fmt(rate(x.min))})`;
  const us = (x: Summary) => fmtSummary(x, ' us');
  const m = (x: Summary) => x.median;
  return {
    title: 'Worker',
    method:
      `${ROUNDS} interleaved rounds of ${PER_ROUND} sequential call set-ups per variant. The handler ` +
      'gets a batch of one `call.initiated` for a new call (EVALSHA resolve, EVALSHA acquire, answer via ' +
      'the `telnyx` SDK to the loopback simulator; Powertools batch, logger and metrics on, output ' +
      'to /dev/null). The bare loop makes the same two EVALSHAs (resolve_tenant_plan and acquire: same scripts, keys, arguments) on its own ' +
      'ioredis connection and one keep-alive `node:http` POST of an answer to the same simulator. ' +
      'Ratio = handler rate / bare rate, per round, median.',
    rows: [
      {
        figure: 'call set-ups per second (1 call per batch)',
        measured: rateSummary(s.handler),
        baseline: `bare loop ${rateSummary(s.bare)}`,
        ratio: ratioText(ratio),
        goal: '>= 0.7',
        status: verdict(ratio.median >= 0.7),
      },
      {
        figure: 'floor with the SDK kept: bare loop answering through the SDK (project adapter)',
        measured: rateSummary(s.bareSdk),
        baseline: `bare loop ${rateSummary(s.bare)}`,
        ratio: ratioText(sdkFloor),
        goal: '-',
        status: 'info',
      },
      {
        figure: 'Telnyx answer through the project adapter (SDK + keep-alive fetch)',
        measured: us(s.sdkAnswer),
        baseline: `raw POST ${us(s.rawPost)}`,
        ratio: ratioText(adapter, 'x'),
        goal: '<= 1.5x',
        status: verdict(adapter.median <= 1.5),
      },
      {
        figure: "Telnyx answer through the SDK on Node's fetch (before the adapter)",
        measured: us(s.sdkDefaultFetch),
        baseline: `raw POST ${us(s.rawPost)}`,
        ratio: ratioText(defaultFetch, 'x'),
        goal: '-',
        status: 'info',
      },
      {
        figure: "floor of any adapter: raw POST + the SDK's own work (fetch answered from memory)",
        measured: `${fmt(m(s.rawPost) + m(s.sdkNoNetwork))} us`,
        baseline: `raw POST ${us(s.rawPost)}`,
        ratio: ratioText(adapterFloor, 'x'),
        goal: '-',
        status: 'info',
      },
    ],
    notes: [
      'Where the time goes (median us per call set-up):',
      '',
      '| Part | us |',
      '| --- | --- |',
      `| worker handler, whole set-up | ${us(s.handler)} |`,
      `| bare loop, whole set-up | ${us(s.bare)} |`,
      `| bare loop answering through the SDK (project adapter) | ${us(s.bareSdk)} |`,
      `| Redis EVALSHA resolve_tenant_plan (tenant and plan) alone | ${us(s.resolve)} |`,
      `| Redis EVALSHA acquire alone | ${us(s.evalsha)} |`,
      `| raw \`node:http\` POST answer alone | ${us(s.rawPost)} |`,
      `| \`telnyx\` SDK \`calls.actions.answer\` alone (project adapter) | ${us(s.sdkAnswer)} |`,
      `| the same on Node's own fetch (undici; before the adapter) | ${us(s.sdkDefaultFetch)} |`,
      `| the SDK's own work: fetch answered from memory | ${us(s.sdkNoNetwork)} |`,
      '',
      `The adapter bought ${fmt(m(s.sdkDefaultFetch) - m(s.sdkAnswer))} us per command over Node's fetch in this run. ` +
        `The SDK answer still costs ${fmt(m(s.sdkAnswer) - m(s.rawPost))} us more than the raw POST, ` +
        `${fmt(m(s.sdkNoNetwork))} us of it the SDK's own work; ` +
        `the handler spends ${fmt(m(s.handler) - m(s.resolve) - m(s.evalsha) - m(s.sdkAnswer))} us ` +
        'outside those three calls (SQS record parsing, zod, batch processor, middy, logging, metrics).',
      '',
      `CPU profile of ${PER_ROUND} handler set-ups (this process also runs the simulator), self time by owner: ${describeShares(profile)}.`,
    ],
  };
}
