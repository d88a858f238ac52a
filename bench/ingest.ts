import { type KeyObject, verify } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../local/lambda-context.js';
import { signedApiRequest } from '../local/lambda-events.js';
import { LOCAL_QUEUE_NAME } from '../local/local-system.js';
import { telnyxEvent } from '../local/webhook-events.js';
import { createSqsClient } from '../shared/queue/create-sqs-client.js';
import { parseTelnyxEvent } from '../shared/telnyx/webhook-event.js';
import { acceptWebhook } from '../shared/webhook/accept-webhook.js';
import { importTelnyxPublicKeys } from '../shared/webhook/telnyx-public-keys.js';
import { createSignatureVerifier, SIGNATURE_HEADERS } from '../shared/webhook/verify-signature.js';
import { BENCH_DID, type BenchEnvironment, progress } from './environment.js';
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

const ROUNDS = 15;
const PER_ROUND = 300;

/**
 * Fresh signed `call.initiated` webhooks with distinct ids (FIFO dedup would skip repeats), each
 * as the handler gets it and as the bare baseline verifies it.
 */
function signedWebhooks(env: BenchEnvironment, count: number) {
  return Array.from({ length: count }, () => {
    const body = JSON.stringify(telnyxEvent('call.initiated', { to: BENCH_DID }));
    const request = signedApiRequest(body, { keys: env.keys });
    const timestamp = request.headers[SIGNATURE_HEADERS.timestamp] as string;
    const signature = Buffer.from(request.headers[SIGNATURE_HEADERS.signature] as string, 'base64');
    return { request, signed: Buffer.from(`${timestamp}|${body}`), signature, body };
  });
}
type SignedWebhook = ReturnType<typeof signedWebhooks>[number];

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
  const key = importTelnyxPublicKeys([env.keys.publicKeyBase64])[0] as KeyObject;
  const verifier = createSignatureVerifier({ publicKeys: [env.keys.publicKeyBase64] });
  const fakeSqs = { send: () => Promise.resolve({ MessageId: 'bench' }) };
  const withFakeSqs = { verifySignature: verifier, sqs: fakeSqs, queueUrl: env.queueUrl };
  const sdkClient = createSqsClient();
  // Client options, each measured against the project client in the same rounds: the SDK's
  // defaults (its own handler, middleware resolved per send), and MD5 checks off.
  const defaultsClient = new SQSClient({});
  const noMd5Client = createSqsClient({}, { md5: false });
  const poster = rawPoster(env.sqs.endpoint);
  const context = lambdaContext('ingest');
  let pool = signedWebhooks(env, PER_ROUND);
  const webhook = (i: number) => pool[i] as SignedWebhook;
  // A variant that sends: PER_ROUND fresh webhooks on a fresh queue.
  const onFreshQueue = async (run: () => Promise<number>) => {
    await recreateQueue(env);
    pool = signedWebhooks(env, PER_ROUND);
    return run();
  };
  // The SendMessage the handler makes for a webhook.
  const sendMessage = ({ body }: SignedWebhook) => {
    const event = JSON.parse(body);
    return {
      QueueUrl: env.queueUrl,
      MessageBody: body,
      MessageGroupId: event.data.payload.call_control_id,
      MessageDeduplicationId: event.data.id,
    };
  };
  const handlerEach = () =>
    perCallMicros(PER_ROUND, async (i) => {
      const { statusCode } = await env.ingest(webhook(i).request, context);
      if (statusCode !== 200) throw new Error(`ingest answered ${statusCode}`);
    });
  // SendMessage of each pooled webhook through `client`, on a fresh queue.
  const sendThrough = (client: SQSClient) =>
    onFreshQueue(() =>
      perCallMicros(PER_ROUND, (i) => client.send(new SendMessageCommand(sendMessage(webhook(i))))),
    );
  const variants = {
    bareVerify: () =>
      perCallMicros(PER_ROUND, (i) => {
        const w = webhook(i);
        if (!verify(null, w.signed, key, w.signature)) throw new Error('bad signature');
      }),
    verifier: () =>
      perCallMicros(PER_ROUND, (i) =>
        verifier(webhook(i).request.headers, Buffer.from(webhook(i).body)),
      ),
    parse: () => perCallMicros(PER_ROUND, (i) => parseTelnyxEvent(webhook(i).body)),
    acceptNoSend: () =>
      perCallMicros(PER_ROUND, (i) => acceptWebhook(webhook(i).request, withFakeSqs)),
    handlerNoSend: () => withNoOpSend(handlerEach),
    handlerWithSend: () => onFreshQueue(handlerEach),
    sdkSend: () => sendThrough(sdkClient),
    sdkSendDefaults: () => sendThrough(defaultsClient),
    sdkSendNoMd5: () => sendThrough(noMd5Client),
    // The floor under any client: the same SendMessage JSON, prebuilt, unsigned, one socket.
    rawPost: () =>
      onFreshQueue(() => {
        const bodies = pool.map((w) => JSON.stringify(sendMessage(w)));
        return perCallMicros(PER_ROUND, async (i) => {
          const status = await poster.post('/', bodies[i] as string, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'AmazonSQS.SendMessage',
          });
          if (status !== 200) throw new Error(`raw SendMessage answered ${status}`);
        });
      }),
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

  const s = summarizeEach(results);
  const m = (x: Summary) => x.median;
  const us = (x: Summary) => fmtSummary(x, ' us');
  const bare = `bare verify ${us(s.bareVerify)}`;
  // Ratios per round, against that round's bare verify, then the median.
  const vsBare = (figure: string, measured: string, rounds: number[], limit?: number) => {
    const ratio = perRound(rounds, results.bareVerify);
    return row(figure, measured, bare, fmtSummary(ratio, 'x'), ...atMost(ratio.median, limit));
  };
  const handler = (figure: string, name: 'handlerNoSend' | 'handlerWithSend', limit: number) =>
    vsBare(figure, us(s[name]), results[name], limit);
  // A floor: the handler without send plus `send` alone, round by round.
  const floor = (figure: string, send: 'sdkSend' | 'rawPost') =>
    vsBare(
      figure,
      `${fmt(m(s.handlerNoSend) + m(s[send]))} us`,
      addRounds(results.handlerNoSend, results[send]),
    );
  // A line of the breakdown table.
  const part = (label: string, x: Summary) =>
    `| ${label} | ${us(x)} | ${fmt(m(x) / m(s.bareVerify))} |`;
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
      handler('handler per webhook, without queue send', 'handlerNoSend', 1.5),
      handler('handler per webhook, with send to loopback SQS', 'handlerWithSend', 5),
      floor('floor with the AWS SDK kept: handler without send + SDK SendMessage alone', 'sdkSend'),
      floor('floor of any client: handler without send + raw unsigned POST', 'rawPost'),
    ],
    notes: [
      'Where the time goes (median us per webhook, same rounds):',
      '',
      '| Part | us | x bare verify |',
      '| --- | --- | --- |',
      part('bare `crypto.verify` (baseline)', s.bareVerify),
      part('`createSignatureVerifier` (headers, tolerance, base64, concat, verify)', s.verifier),
      part('`parseTelnyxEvent` (JSON.parse + zod)', s.parse),
      part(
        '`acceptWebhook` with a `{ send }` fake (verify + parse + SendMessageCommand)',
        s.acceptNoSend,
      ),
      part('handler without send (adds middy, Powertools logger, response)', s.handlerNoSend),
      part('SDK `send(SendMessageCommand)` alone, project client', s.sdkSend),
      part(
        'the same, SDK defaults (its own handler, middleware stack resolved per send)',
        s.sdkSendDefaults,
      ),
      part('the same, project client with `md5: false` (no MD5 of body and reply)', s.sdkSendNoMd5),
      part('raw keep-alive HTTP POST of the same SendMessage JSON (no SDK, unsigned)', s.rawPost),
      part('handler with send', s.handlerWithSend),
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
