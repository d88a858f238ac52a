import { callControlId, type TelnyxWebhookBody, telnyxEvent } from '../../local/webhook-events.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// Caps well above the traffic here: every queued call.initiated must come out as one answer.
let p: Pipeline;
const report = figureRecorder('queue-faults');

beforeAll(async () => {
  p = await startPipeline({
    GLOBAL_CONCURRENCY_CAP: '1000',
    TENANT_CONCURRENCY_CAP_DEFAULT: '1000',
  });
  await p.redis.set('tenantmap:did:+13125550199', 'acme');
});
afterAll(async () => {
  report.write();
  await p.stop();
});

/** `n` new incoming calls to the mapped number, as Telnyx would post them. */
const newCalls = (n: number) =>
  Array.from({ length: n }, () =>
    telnyxEvent('call.initiated', { call_control_id: callControlId() }),
  );

/** Posts every webhook, returning the HTTP status each one got. */
async function postAll(events: TelnyxWebhookBody[]): Promise<number[]> {
  const responses = await Promise.all(events.map((event) => p.post(event)));
  return responses.map((r) => r.statusCode ?? 0);
}

const answers = (event: TelnyxWebhookBody) =>
  p.telnyx.commandsFor(event.data.payload.call_control_id).filter((c) => c.action === 'answer');

it('answers 503 while the queue is missing, and every webhook it acknowledged is processed exactly once after Telnyx re-delivers the rest', async () => {
  const before = newCalls(20);
  expect(await postAll(before)).toEqual(before.map(() => 200));
  await p.drain();

  const queueName = (p.queueUrl.split('/').pop() as string).replace(/\.fifo$/, '');
  await p.sqs.deleteQueue(p.queueUrl);
  const during = newCalls(20);
  const duringStatuses = await postAll(during);
  expect(duringStatuses).toEqual(during.map(() => 503));
  const enqueueFailures = p.logMessages().filter((m) => m === 'webhook enqueue failed').length;
  expect(enqueueFailures).toBe(during.length);
  expect(await p.sqs.createFifoQueue(queueName)).toBe(p.queueUrl);

  // Telnyx re-delivers what was not acknowledged (same event id, next attempt), with new traffic.
  const redelivered = during.map((event) => ({ ...event, meta: { ...event.meta, attempt: 2 } }));
  const after = newCalls(20);
  const laterStatuses = await postAll([...redelivered, ...after]);
  expect(laterStatuses).toEqual(laterStatuses.map(() => 200));
  await p.drain();

  const all = [...before, ...during, ...after];
  const answeredOnce = all.filter((event) => answers(event).length === 1).length;
  expect(answeredOnce).toBe(all.length);
  expect(await p.sqs.receiveMessages(p.queueUrl)).toEqual([]);

  report.record({
    scenario: 'Queue missing mid-stream (SendMessage fails), then restored',
    injected:
      'the FIFO queue deleted between two bursts of webhooks, then created again under the same URL',
    observed:
      'ingest answered 503 to every webhook it could not queue and logged "webhook enqueue failed"; nothing answered 200 without being queued; after Telnyx re-delivered, every call was answered exactly once',
    figures: {
      webhooksPosted: before.length + during.length + redelivered.length + after.length,
      distinctWebhooks: all.length,
      answered503: duringStatuses.filter((s) => s === 503).length,
      answered200: before.length + laterStatuses.filter((s) => s === 200).length,
      reDeliveries: redelivered.length,
      callsAnsweredExactlyOnce: answeredOnce,
      lostWebhooks: all.length - answeredOnce,
    },
  });
});

it('answers 503 within its retry budget when the queue service is down, never throwing', async () => {
  await p.sqs.stop();
  const event = newCalls(1)[0] as TelnyxWebhookBody;
  const started = performance.now();
  const response = await p.post(event);
  const ms = performance.now() - started;
  expect(response).toMatchObject({ statusCode: 503 });
  // The SQS client's own worst case is 3 attempts x (1 s connect + 2 s request) plus back-off.
  expect(ms).toBeLessThan(9000);
  expect(p.logMessages()).toContain('webhook enqueue failed');

  report.record({
    scenario: 'Queue service down',
    injected: 'the local SQS server stopped (connections refused)',
    observed:
      'ingest answered 503 (so Telnyx re-delivers) after the SDK attempts, without throwing',
    figures: {
      webhooksPosted: 1,
      answered503: 1,
      ingestMs: Math.round(ms),
      acknowledged: response.statusCode === 200 ? 1 : 0,
    },
  });
});
