import { createPublicKey, verify } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '../local/lambda-context.js';
import { signedApiRequest } from '../local/lambda-events.js';
import { LOCAL_QUEUE_NAME } from '../local/local-system.js';
import { telnyxEvent } from '../local/webhook-events.js';
import { createSqsClient } from '../shared/queue/create-sqs-client.js';
import { parseTelnyxEvent } from '../shared/telnyx/webhook-event.js';
import { acceptWebhook } from '../shared/webhook/accept-webhook.js';
import { createSignatureVerifier } from '../shared/webhook/verify-signature.js';
import { BENCH_DID, type BenchEnvironment, progress } from './environment.js';
import { rawPoster } from './http-post.js';
import { describeShares, profileByOwner } from './profile.js';
import { type Section, verdict } from './report.js';
import { fmt, fmtSummary, interleave, perCallMicros, type Summary, summarize } from './stats.js';

const ROUNDS = 15;
const PER_ROUND = 300;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** One signed webhook, as the handler gets it and as the bare baseline verifies it. */
interface SignedWebhook {
  readonly request: APIGatewayProxyEventV2;
  readonly signed: Buffer;
  readonly signature: Buffer;
  readonly body: string;
}

/** Fresh signed `call.initiated` webhooks with distinct ids (FIFO dedup would skip repeats). */
function signedWebhooks(env: BenchEnvironment, count: number): SignedWebhook[] {
  return Array.from({ length: count }, () => {
    const body = JSON.stringify(telnyxEvent('call.initiated', { to: BENCH_DID }));
    const request = signedApiRequest(body, { keys: env.keys });
    const timestamp = request.headers['telnyx-timestamp'] as string;
    const signature = Buffer.from(request.headers['telnyx-signature-ed25519'] as string, 'base64');
    return { request, signed: Buffer.from(`${timestamp}|${body}`), signature, body };
  });
}

/**
 * Replaces `SQSClient.prototype.send` with a resolved promise while `fn` runs: the handler's
 * own module-scope client then costs nothing to send, which is the "without send" figure.
 */
async function withNoOpSend<T>(fn: () => Promise<T>): Promise<T> {
  const proto = SQSClient.prototype as unknown as { send: unknown };
  const own = Object.hasOwn(proto, 'send');
  const original = proto.send;
  proto.send = () => Promise.resolve({ MessageId: 'bench' });
  try {
    return await fn();
  } finally {
    if (own) proto.send = original;
    else delete (proto as { send?: unknown }).send;
  }
}

/** Empties the queue between rounds: local-aws-sqs scans every stored message per FIFO send. */
async function recreateQueue(env: BenchEnvironment): Promise<void> {
  await env.sqs.deleteQueue(env.queueUrl);
  const url = await env.sqs.createFifoQueue(LOCAL_QUEUE_NAME);
  if (url !== env.queueUrl) throw new Error(`queue URL changed: ${url}`);
}

/** Ingest: the handler's cost per webhook against a bare cached-key `crypto.verify`. */
export async function measureIngest(env: BenchEnvironment): Promise<Section> {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(env.keys.publicKeyBase64, 'base64')]),
    format: 'der',
    type: 'spki',
  });
  const verifier = createSignatureVerifier({ publicKeys: [env.keys.publicKeyBase64] });
  const fakeSqs = { send: () => Promise.resolve({ MessageId: 'bench' }) };
  const sdkClient = createSqsClient();
  // Client options, each measured against the project client in the same rounds: the SDK's
  // defaults (its own handler, middleware resolved per send), and MD5 checks off.
  const defaultsClient = new SQSClient({});
  const noMd5Client = createSqsClient({}, { md5: false });
  const poster = rawPoster(env.sqs.endpoint);
  const context = lambdaContext('ingest');
  let pool = signedWebhooks(env, PER_ROUND);

  const expectOk = (status: number | undefined) => {
    if (status !== 200) throw new Error(`ingest answered ${status}`);
  };
  // SendMessage of each pooled webhook through `client`, on a fresh queue.
  const sendThrough = async (client: SQSClient) => {
    await recreateQueue(env);
    pool = signedWebhooks(env, PER_ROUND);
    return perCallMicros(PER_ROUND, (i) => {
      const w = pool[i] as SignedWebhook;
      const event = JSON.parse(w.body);
      return client.send(
        new SendMessageCommand({
          QueueUrl: env.queueUrl,
          MessageBody: w.body,
          MessageGroupId: event.data.payload.call_control_id,
          MessageDeduplicationId: event.data.id,
        }),
      );
    });
  };
  const variants = {
    bareVerify: () =>
      perCallMicros(PER_ROUND, (i) => {
        const w = pool[i] as SignedWebhook;
        if (!verify(null, w.signed, key, w.signature)) throw new Error('bad signature');
      }),
    verifier: () =>
      perCallMicros(PER_ROUND, (i) => {
        const w = pool[i] as SignedWebhook;
        verifier(w.request.headers, Buffer.from(w.body));
      }),
    parse: () => perCallMicros(PER_ROUND, (i) => parseTelnyxEvent((pool[i] as SignedWebhook).body)),
    acceptNoSend: () =>
      perCallMicros(PER_ROUND, (i) =>
        acceptWebhook((pool[i] as SignedWebhook).request, {
          verifySignature: verifier,
          sqs: fakeSqs,
          queueUrl: env.queueUrl,
        }),
      ),
    handlerNoSend: () =>
      withNoOpSend(() =>
        perCallMicros(PER_ROUND, async (i) =>
          expectOk((await env.ingest((pool[i] as SignedWebhook).request, context)).statusCode),
        ),
      ),
    handlerWithSend: async () => {
      await recreateQueue(env);
      pool = signedWebhooks(env, PER_ROUND);
      return perCallMicros(PER_ROUND, async (i) =>
        expectOk((await env.ingest((pool[i] as SignedWebhook).request, context)).statusCode),
      );
    },
    sdkSend: () => sendThrough(sdkClient),
    sdkSendDefaults: () => sendThrough(defaultsClient),
    sdkSendNoMd5: () => sendThrough(noMd5Client),
    // The floor under any client: the same SendMessage JSON, prebuilt, unsigned, one socket.
    rawPost: async () => {
      await recreateQueue(env);
      pool = signedWebhooks(env, PER_ROUND);
      const bodies = pool.map((w) => {
        const event = JSON.parse(w.body);
        return JSON.stringify({
          QueueUrl: env.queueUrl,
          MessageBody: w.body,
          MessageGroupId: event.data.payload.call_control_id,
          MessageDeduplicationId: event.data.id,
        });
      });
      return perCallMicros(PER_ROUND, async (i) => {
        const status = await poster.post('/', bodies[i] as string, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AmazonSQS.SendMessage',
        });
        if (status !== 200) throw new Error(`raw SendMessage answered ${status}`);
      });
    },
  };
  progress('ingest: warming up');
  await interleave(2, variants);
  progress(`ingest: ${ROUNDS} rounds of ${PER_ROUND} webhooks per variant`);
  const results = await interleave(ROUNDS, variants);
  const profileNoSend = await profileByOwner(() => variants.handlerNoSend());
  const profileWithSend = await profileByOwner(() => variants.handlerWithSend());
  await recreateQueue(env);
  for (const client of [sdkClient, defaultsClient, noMd5Client]) client.destroy();
  poster.close();

  const s = Object.fromEntries(
    Object.entries(results).map(([name, values]) => [name, summarize(values as number[])]),
  ) as Record<keyof typeof variants, Summary>;
  const perRoundRatio = (name: keyof typeof variants) =>
    summarize((results[name] as number[]).map((v, i) => v / (results.bareVerify[i] as number)));
  const noSend = perRoundRatio('handlerNoSend');
  const sumRatio = (a: keyof typeof variants, b: keyof typeof variants) =>
    summarize(
      (results[a] as number[]).map(
        (v, i) => (v + (results[b][i] as number)) / (results.bareVerify[i] as number),
      ),
    );
  const sdkFloor = sumRatio('handlerNoSend', 'sdkSend');
  const rawFloor = sumRatio('handlerNoSend', 'rawPost');
  const withSend = perRoundRatio('handlerWithSend');
  const us = (x: Summary) => fmtSummary(x, ' us');
  const bare = us(s.bareVerify);
  const m = (x: Summary) => x.median;
  return {
    title: 'Ingest',
    method:
      `${ROUNDS} interleaved rounds of ${PER_ROUND} sequential webhooks per variant (distinct signed ` +
      '`call.initiated` bodies, 1 KB), mean us per webhook per round. "Without send" runs the real ' +
      'handler module (middy, Powertools logger writing to /dev/null) with `SQSClient.prototype.send` ' +
      'replaced by a resolved promise; "with send" sends to local-aws-sqs on loopback, in this process. ' +
      "Ratios are computed per round against that round's bare `crypto.verify` (cached KeyObject, " +
      'prebuilt `timestamp|body` buffer), then the median is taken.',
    rows: [
      {
        figure: 'handler per webhook, without queue send',
        measured: us(s.handlerNoSend),
        baseline: `bare verify ${bare}`,
        ratio: `${fmt(noSend.median)}x (${fmt(noSend.min)}-${fmt(noSend.max)})`,
        goal: '<= 1.5x',
        status: verdict(noSend.median <= 1.5),
      },
      {
        figure: 'handler per webhook, with send to loopback SQS',
        measured: us(s.handlerWithSend),
        baseline: `bare verify ${bare}`,
        ratio: `${fmt(withSend.median)}x (${fmt(withSend.min)}-${fmt(withSend.max)})`,
        goal: '<= 5x',
        status: verdict(withSend.median <= 5),
      },
      {
        figure: 'floor with the AWS SDK kept: handler without send + SDK SendMessage alone',
        measured: `${fmt(m(s.handlerNoSend) + m(s.sdkSend))} us`,
        baseline: `bare verify ${bare}`,
        ratio: `${fmt(sdkFloor.median)}x (${fmt(sdkFloor.min)}-${fmt(sdkFloor.max)})`,
        goal: '-',
        status: 'info',
      },
      {
        figure: 'floor of any client: handler without send + raw unsigned POST',
        measured: `${fmt(m(s.handlerNoSend) + m(s.rawPost))} us`,
        baseline: `bare verify ${bare}`,
        ratio: `${fmt(rawFloor.median)}x (${fmt(rawFloor.min)}-${fmt(rawFloor.max)})`,
        goal: '-',
        status: 'info',
      },
    ],
    notes: [
      'Where the time goes (median us per webhook, same rounds):',
      '',
      '| Part | us | x bare verify |',
      '| --- | --- | --- |',
      `| bare \`crypto.verify\` (baseline) | ${us(s.bareVerify)} | 1.00 |`,
      `| \`createSignatureVerifier\` (headers, tolerance, base64, concat, verify) | ${us(s.verifier)} | ${fmt(m(s.verifier) / m(s.bareVerify))} |`,
      `| \`parseTelnyxEvent\` (JSON.parse + zod) | ${us(s.parse)} | ${fmt(m(s.parse) / m(s.bareVerify))} |`,
      `| \`acceptWebhook\` with a \`{ send }\` fake (verify + parse + SendMessageCommand) | ${us(s.acceptNoSend)} | ${fmt(m(s.acceptNoSend) / m(s.bareVerify))} |`,
      `| handler without send (adds middy, Powertools logger, response) | ${us(s.handlerNoSend)} | ${fmt(m(s.handlerNoSend) / m(s.bareVerify))} |`,
      `| SDK \`send(SendMessageCommand)\` alone, project client | ${us(s.sdkSend)} | ${fmt(m(s.sdkSend) / m(s.bareVerify))} |`,
      `| the same, SDK defaults (its own handler, middleware stack resolved per send) | ${us(s.sdkSendDefaults)} | ${fmt(m(s.sdkSendDefaults) / m(s.bareVerify))} |`,
      `| the same, project client with \`md5: false\` (no MD5 of body and reply) | ${us(s.sdkSendNoMd5)} | ${fmt(m(s.sdkSendNoMd5) / m(s.bareVerify))} |`,
      `| raw keep-alive HTTP POST of the same SendMessage JSON (no SDK, unsigned) | ${us(s.rawPost)} | ${fmt(m(s.rawPost) / m(s.bareVerify))} |`,
      `| handler with send | ${us(s.handlerWithSend)} | ${fmt(m(s.handlerWithSend) / m(s.bareVerify))} |`,
      '',
      `Handler overhead outside \`acceptWebhook\` (middy + logging): ${fmt(m(s.handlerNoSend) - m(s.acceptNoSend))} us; ` +
        `SDK cost above the raw POST floor: ${fmt(m(s.sdkSend) - m(s.rawPost))} us; ` +
        `local-aws-sqs + loopback HTTP (raw POST): ${fmt(m(s.rawPost))} us.`,
      '',
      `CPU profile of ${PER_ROUND} webhooks, self time by owner. Without send: ${describeShares(profileNoSend)}.`,
      '',
      `With send (client and the in-process local-aws-sqs server): ${describeShares(profileWithSend)}.`,
    ],
  };
}
