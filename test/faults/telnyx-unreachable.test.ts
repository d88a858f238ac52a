import { pollOnce } from '../../local/poll-once.js';
import { freePort } from '../../local/redis-server.js';
import { startTelnyxSimulator, type TelnyxSimulator } from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// The worker's Telnyx API is a port where nothing listens (connections refused) until the
// test starts a simulator there: Telnyx "comes back".
let p: Pipeline;
let port: number;
let telnyx: TelnyxSimulator | undefined;
const report = figureRecorder('telnyx-unreachable');

beforeAll(async () => {
  port = await freePort();
  p = await startPipeline({ TELNYX_BASE_URL: `http://127.0.0.1:${port}/v2` });
});
afterAll(async () => {
  report.write();
  await telnyx?.stop();
  await p.stop();
});

const pollStep = () => pollOnce({ sqs: p.sqs.client, queueUrl: p.queueUrl, worker: p.worker });

it('retries an admitted call through SQS while Telnyx refuses connections, keeping its slot, and answers it once when Telnyx is back', async () => {
  const id = callControlId();
  await p.redis.set('tenantmap:did:+13125550199', 'acme');
  const response = await p.post(telnyxEvent('call.initiated', { call_control_id: id }));
  expect(response.statusCode).toBe(200);

  const refused = await pollStep();
  expect(refused.failed).toHaveLength(1);
  const heldWhileRefused = await p.redis.scard('cap:global:active');
  // Only a definite refusal (4xx) gives the slot back: after a failed connection the SDK's
  // earlier attempts may have reached Telnyx, so the call keeps its slot for the retry.
  expect(heldWhileRefused).toBe(1);

  telnyx = await startTelnyxSimulator(port);
  let retries = 0;
  for (
    let { delivered, failed } = await pollStep();
    delivered > 0;
    { delivered, failed } = await pollStep()
  ) {
    retries += failed.length;
  }

  expect(telnyx.commands.map((c) => [c.action, c.commandId, c.status])).toEqual([
    ['answer', `${id}:answer`, 200],
  ]);
  expect(await p.redis.smembers('cap:global:active')).toEqual([id]);
  await p.deliver(telnyxEvent('call.hangup', { call_control_id: id }));
  expect(await p.redis.scard('cap:global:active')).toBe(0);

  report.record({
    scenario: 'Telnyx API refusing connections, then back',
    injected:
      'TELNYX_BASE_URL pointed at a closed loopback port; later a simulator started on that port',
    observed:
      'the SDK attempts (first try and its 2 retries) were refused, the message was reported failed and the call kept its one slot while it waited; once Telnyx listened, the retry re-answered the call once with the slot it already held; the hangup released it',
    figures: {
      messagesFailedWhileRefused: refused.failed.length,
      slotsHeldWhileRefused: heldWhileRefused,
      furtherSqsRetries: retries,
      answersCarriedOut: telnyx.commandsFor(id).length,
      leakedSlots: await p.redis.scard('cap:global:active'),
    },
  });
});
