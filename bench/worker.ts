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
import { loadAdmissionConfig } from '../shared/config/admission-config.js';
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
import { atMost, row, type Section } from './report.js';
import {
  addRounds,
  fmt,
  fmtSummary,
  interleave,
  perCallMicros,
  perRound,
  type Summary,
  summarizeEach,
} from './stats.js';

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
  // The worker's own admission settings, read from the same environment by the same loader.
  const config = loadAdmissionConfig(env.env);
  const redis = new Redis(config.redisUrl, { protocol: 2 });
  const sha = (await redis.script('LOAD', ACQUIRE_SCRIPT.lua)) as string;
  const resolveSha = (await redis.script('LOAD', RESOLVE_TENANT_PLAN_SCRIPT.lua)) as string;
  const keys = capacityKeys(config);
  const did = didKey(config.tenantmapPrefix, normalizeNumber(BENCH_DID));
  const poster = rawPoster(env.telnyx.baseUrl);
  const basePath = new URL(env.telnyx.baseUrl).pathname;
  const sdk = { apiKey: env.env.TELNYX_API_KEY as string, baseURL: env.telnyx.baseUrl };
  const controlOf = (client: Telnyx) =>
    createTelnyxCallControl(fixedClientSource(client), { voice: 'female', language: 'en-US' });
  const callControl = controlOf(createTelnyxClient({ ...sdk, timeoutMs: 5000, maxRetries: 2 }));
  // Before the adapter: the SDK on Node's own fetch (undici), same server and body.
  const defaultFetchControl = controlOf(new Telnyx({ ...sdk, timeout: 5000 }));
  // The SDK's own work per command (building, headers, parsing, its promise chain) with a
  // fetch that answers from memory with the adapter's own reply type: no socket, no server.
  const cannedReply = Buffer.from(JSON.stringify({ data: { result: 'ok' } }));
  const cannedHead = {
    statusCode: 200,
    statusMessage: 'OK',
    rawHeaders: ['content-type', 'application/json'],
  };
  const noNetworkControl = controlOf(
    new Telnyx({
      ...sdk,
      fetch: async (url) =>
        new BufferedResponse(cannedHead, cannedReply, String(url)) as unknown as Response,
    }),
  );
  const context = lambdaContext('worker');

  // The limiter's exact EVALSHA: same script, keys and arguments as `tryAcquire`.
  const limits = { ...config, reclaimBatchSize: DEFAULT_RECLAIM_BATCH };
  // The resolver's exact EVALSHA: the tenant and its plan in one script (what the worker runs
  // in place of the contract's GET since tenant plans).
  const resolve = () =>
    redis.evalsha(
      resolveSha,
      RESOLVE_TENANT_PLAN_SCRIPT.numberOfKeys,
      ...RESOLVE_TENANT_PLAN_SCRIPT.arguments({
        didKey: did,
        tenantcfgPrefix: config.tenantcfgPrefix,
        maxPlanBytes: String(MAX_PLAN_BYTES),
      }),
    ) as Promise<string[]>;
  const acquire = (id: string) => {
    const call = { callControlId: id, tenantId: BENCH_TENANT, now: new Date() };
    return redis.evalsha(sha, ACQUIRE_SCRIPT.numberOfKeys, ...acquireArguments(keys, limits, call));
  };
  const answerBody = (id: string) =>
    JSON.stringify({ client_state: 'eyJhcHAiOiJ0Y2ExIn0=', command_id: commandId(id, 'answer') });
  const answerHeaders = {
    'content-type': 'application/json',
    authorization: `Bearer ${env.env.TELNYX_API_KEY}`,
  };
  const answerPath = (id: string) => `${basePath}/calls/${encodeURIComponent(id)}/actions/answer`;

  const post = (id: string) => poster.post(answerPath(id), answerBody(id), answerHeaders);
  const answerWith = (control: CallControl) => (id: string) =>
    control.answer(id, { clientState: 'eyJhcHAiOiJ0Y2ExIn0=', commandId: commandId(id, 'answer') });

  let batches: SQSEvent[] = [];
  let ids: string[] = [];
  // A variant: `op` timed over PER_ROUND fresh calls (a batch and a call id each).
  const perFreshCall = (op: (id: string, i: number) => unknown) => () => {
    batches = Array.from({ length: PER_ROUND }, initiatedBatch);
    ids = Array.from({ length: PER_ROUND }, callControlId);
    return perCallMicros(PER_ROUND, (i) => op(ids[i] as string, i));
  };
  // The two EVALSHAs on the bench's own connection, then `answer` the way a variant chooses.
  const bareLoop = (answer: (id: string) => Promise<unknown>) =>
    perFreshCall(async (id) => {
      if ((await resolve())[0] !== BENCH_TENANT) throw new Error('no tenant mapping');
      if ((await acquire(id)) !== 'ok') throw new Error('bare acquire was not admitted');
      await answer(id);
    });
  const variants = {
    handler: perFreshCall(async (_id, i) => {
      const result = await env.worker(batches[i] as SQSEvent, context);
      if (result?.batchItemFailures.length) throw new Error('worker failed a record');
    }),
    bare: bareLoop(async (id) => {
      const status = await post(id);
      if (status !== 200) throw new Error(`simulator answered ${status}`);
    }),
    bareSdk: bareLoop(answerWith(callControl)),
    resolve: () => perCallMicros(PER_ROUND, () => resolve()),
    evalsha: perFreshCall(acquire),
    rawPost: perFreshCall(post),
    sdkAnswer: perFreshCall(answerWith(callControl)),
    sdkDefaultFetch: perFreshCall(answerWith(defaultFetchControl)),
    sdkNoNetwork: perFreshCall(answerWith(noNetworkControl)),
  };
  progress('worker: warming up');
  await interleave(2, variants);
  progress(`worker: ${ROUNDS} rounds of ${PER_ROUND} call set-ups per variant`);
  const results = await interleave(ROUNDS, variants);
  const profile = await profileByOwner(() => variants.handler());
  redis.disconnect();
  poster.close();

  const s = summarizeEach(results);
  const m = (x: Summary) => x.median;
  const us = (x: Summary) => fmtSummary(x, ' us');
  const rate = (us: number) => 1e6 / us;
  const rateSummary = (x: Summary) =>
    `${fmt(rate(x.median))}/s (${fmt(rate(x.max))}-${fmt(rate(x.min))})`;
  // Ratios per round, against that round's baseline, then the median (as every ratio here);
  // a rate ratio is the inverse time ratio.
  const ratio = perRound(results.bare, results.handler);
  const bareRate = `bare loop ${rateSummary(s.bare)}`;
  const rawPost = `raw POST ${us(s.rawPost)}`;
  const vsRawPost = (figure: string, measured: string, ratio: Summary, limit?: number) =>
    row(figure, measured, rawPost, fmtSummary(ratio, 'x'), ...atMost(ratio.median, limit));
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
      row(
        'call set-ups per second (1 call per batch)',
        rateSummary(s.handler),
        bareRate,
        fmtSummary(ratio),
        '>= 0.7',
        ratio.median >= 0.7,
      ),
      row(
        'floor with the SDK kept: bare loop answering through the SDK (project adapter)',
        rateSummary(s.bareSdk),
        bareRate,
        fmtSummary(perRound(results.bare, results.bareSdk)),
      ),
      vsRawPost(
        'Telnyx answer through the project adapter (SDK + keep-alive fetch)',
        us(s.sdkAnswer),
        perRound(results.sdkAnswer, results.rawPost),
        1.5,
      ),
      vsRawPost(
        "Telnyx answer through the SDK on Node's fetch (before the adapter)",
        us(s.sdkDefaultFetch),
        perRound(results.sdkDefaultFetch, results.rawPost),
      ),
      vsRawPost(
        "floor of any adapter: raw POST + the SDK's own work (fetch answered from memory)",
        `${fmt(m(s.rawPost) + m(s.sdkNoNetwork))} us`,
        perRound(addRounds(results.rawPost, results.sdkNoNetwork), results.rawPost),
      ),
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
