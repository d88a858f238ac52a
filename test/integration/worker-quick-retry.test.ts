import { setTimeout as delay } from 'node:timers/promises';
import { CreateQueueCommand, type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../../local/lambda-context.js';
import { toRecord } from '../../local/poll-once.js';
import { receiveBatch } from '../../local/sqs-server.js';
import { SERVER_ERROR } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { callHelpers } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// A queue with the stack's visibility timeout (360 s): without the worker's own back-off, a
// failed record would come back six minutes later, long after the caller gave up.
const STACK_VISIBILITY_TIMEOUT = '360';
let p: Pipeline;
let h: ReturnType<typeof callHelpers>;
let queueUrl: string;
beforeAll(async () => {
  p = await startPipeline();
  h = callHelpers(p);
  const created = await p.sqs.client.send(
    new CreateQueueCommand({
      QueueName: `quick-retry-${Date.now()}.fifo`,
      Attributes: { FifoQueue: 'true', VisibilityTimeout: STACK_VISIBILITY_TIMEOUT },
    }),
  );
  queueUrl = created.QueueUrl as string;
});
afterAll(() => p.stop());

const receive = (waitSeconds: number): Promise<Message[]> =>
  receiveBatch(p.sqs.client, queueUrl, waitSeconds);

it('offers a failed call set-up again within seconds, and the retry answers the caller', async () => {
  const id = callControlId();
  const body = telnyxEvent('call.initiated', {
    call_control_id: id,
    to: await h.mapNumber('acme'),
  });
  await p.sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(body),
      MessageGroupId: id,
      MessageDeduplicationId: body.data.id,
    }),
  );
  p.telnyx.failNext('answer', SERVER_ERROR, 3); // every SDK attempt of the first try

  const [first] = await receive(0);
  const response = await p.worker(
    { Records: [toRecord(first as Message, queueUrl)] },
    lambdaContext('worker'),
  );
  expect(response?.batchItemFailures).toHaveLength(1);

  // Within seconds (1 s back-off on the first failure), not the queue's 360 s.
  let again: Message[] = [];
  for (let i = 0; i < 20 && again.length === 0; i += 1) {
    await delay(250);
    again = await receive(0);
  }
  expect(again.map((m) => m.MessageId)).toEqual([first?.MessageId]);

  const retried = await p.worker(
    { Records: [toRecord(again[0] as Message, queueUrl)] },
    lambdaContext('worker'),
  );
  expect(retried).toEqual({ batchItemFailures: [] });
  expect(h.carriedOut(id, 'answer')).toBe(1);
});
