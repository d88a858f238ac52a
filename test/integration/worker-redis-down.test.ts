import { lambdaContext } from '../../local/lambda-context.js';
import { sqsEvent, sqsRecord } from '../../local/lambda-events.js';
import { freePort } from '../../local/redis-server.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// The worker's Redis is unreachable for this whole file: nothing listens on its port.
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
});
afterAll(() => p.stop());

it('tells the caller the number is not configured when Redis fails during resolution', async () => {
  const id = callControlId();
  await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: '+13125550199' }));
  const answer = p.telnyx.commandsFor(id)[0];
  await p.deliver(
    telnyxEvent('call.answered', {
      call_control_id: id,
      client_state: answer?.body.client_state as string,
    }),
  );

  const speak = p.telnyx.commandsFor(id).find((c) => c.action === 'speak');
  expect(speak?.body.payload).toBe('The number you dialed is not configured.');
  expect(p.logMessages()).toContain('tenant resolve failed');
});

it('reports a hangup whose release fails as failed, for a retry, logging "capacity release failed"', async () => {
  const record = sqsRecord(telnyxEvent('call.hangup', { call_control_id: callControlId() }));
  const response = await p.worker(sqsEvent(record), lambdaContext('worker'));
  expect(p.logMessages()).toContain('capacity release failed');
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
});
