import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../local/lambda-context.js';
import { signedApiRequest } from '../local/lambda-events.js';
import { pollOnce, type WorkerHandler } from '../local/poll-once.js';
import { receiveBatch } from '../local/sqs-server.js';
import { callControlId, telnyxEvent } from '../local/webhook-events.js';
import { BENCH_DID, type BenchEnvironment, progress } from './environment.js';
import { row, type Section } from './report.js';
import { fmt, microsSince, quantile } from './stats.js';

const CALLS = 150;

/**
 * End to end: webhook POST to the ingest handler until the answer command reaches the
 * simulator, through local-aws-sqs and a poller doing what Lambda's event source does.
 */
export async function measureEndToEnd(env: BenchEnvironment): Promise<Section> {
  const answered = new Map<string, () => void>();
  env.telnyx.onCommand((command) => {
    if (command.action === 'answer') answered.get(command.callControlId)?.();
  });
  const ingestUs: number[] = [];
  const workerUs: number[] = [];
  const timedWorker: WorkerHandler = async (event, context) => {
    const start = process.hrtime.bigint();
    const result = await env.worker(event, context);
    workerUs.push(microsSince(start));
    return result;
  };
  let polling = true;
  const poller = (async () => {
    while (polling)
      await pollOnce({ sqs: env.sqs.client, queueUrl: env.queueUrl, worker: timedWorker });
  })();
  const context = lambdaContext('ingest');
  const endToEndUs: number[] = [];
  progress(`end-to-end: ${CALLS} calls, one at a time`);
  for (let i = 0; i < CALLS + 10; i += 1) {
    const id = callControlId();
    const body = telnyxEvent('call.initiated', { call_control_id: id, to: BENCH_DID });
    const request = signedApiRequest(body, { keys: env.keys });
    const arrived = new Promise<void>((resolve) => answered.set(id, resolve));
    const start = process.hrtime.bigint();
    const response = await env.ingest(request, context);
    const ingestDone = microsSince(start);
    if (response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}`);
    await arrived;
    answered.delete(id);
    if (i < 10) continue; // warm-up
    ingestUs.push(ingestDone);
    endToEndUs.push(microsSince(start));
  }
  polling = false;
  await poller;

  // The queue hop on its own: one SendMessage already done, time the ReceiveMessage that gets it.
  progress('end-to-end: queue receive on its own');
  const receiveUs: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    await env.sqs.client.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: '{}',
        MessageGroupId: 'receive-probe',
        MessageDeduplicationId: `probe-${Date.now()}-${i}`,
      }),
    );
    const start = process.hrtime.bigint();
    const messages = await receiveBatch(env.sqs.client, env.queueUrl); // as the poller receives
    receiveUs.push(microsSince(start));
    await env.sqs.drainQueue(env.queueUrl);
    if (messages.length === 0) throw new Error('probe message not received');
  }
  const worker = workerUs.slice(-CALLS);
  const ms = (us: number) => `${fmt(us / 1000)} ms`;
  // The end-to-end quantile `q` against the sum of the parts' own.
  const vsParts = (pct: string, q: number) => {
    const total = quantile(endToEndUs, q);
    const parts = quantile(ingestUs, q) + quantile(receiveUs, q) + quantile(worker, q);
    const figure = `webhook POST to answer at Telnyx, ${pct}`;
    const baseline = `sum of part ${pct}s ${ms(parts)}`;
    return row(figure, ms(total), baseline, `${fmt(total / parts)}x`, '~1x (no hidden waits)');
  };
  const part = (label: string, values: number[]) =>
    `| ${label} | ${ms(quantile(values, 0.5))} | ${ms(quantile(values, 0.99))} |`;
  return {
    title: 'End to end',
    method:
      `${CALLS} calls one at a time (after 10 warm-up calls): the real ingest handler is invoked with a ` +
      'signed `call.initiated`, it sends to local-aws-sqs, a poller (local/poll-once.ts, what ' +
      "Lambda's SQS event source does) receives and invokes the real worker handler, and the clock " +
      'stops when the answer command reaches the simulator. Parts are timed separately: the ingest ' +
      'invocation, a ReceiveMessage of a waiting message on its own, and the worker invocation.',
    rows: [vsParts('p50', 0.5), vsParts('p99', 0.99)],
    notes: [
      '| Part | p50 | p99 |',
      '| --- | --- | --- |',
      part('ingest handler (verify, parse, SendMessage)', ingestUs),
      part('ReceiveMessage of a waiting message (local-aws-sqs)', receiveUs),
      part('worker handler (GET, EVALSHA, answer)', worker),
      part('end to end', endToEndUs),
      '',
      'local-aws-sqs answers ReceiveMessage from a 10 ms polling timer, so the queue hop dominates ' +
        "locally and is not representative of SQS; in AWS the hop is the Lambda event source's " +
        'polling instead. The gap between the end-to-end figure and the sum of parts is the poller ' +
        'waiting for its next receive (messages that arrive during an empty receive wait for the next one).',
    ],
  };
}
