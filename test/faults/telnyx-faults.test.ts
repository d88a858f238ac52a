import { pollOnce } from '../../local/poll-once.js';
import {
  CALL_ENDED,
  CALL_NOT_ANSWERED,
  type Fault,
  SERVER_ERROR,
} from '../../local/telnyx-simulator.js';
import { callControlId, telnyxEvent } from '../../local/webhook-events.js';
import { callHelpers, NOT_CONFIGURED } from '../support/call-helpers.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { figureRecorder } from './figures.js';

// A short Telnyx timeout keeps the "hang" scenarios quick: the SDK gives up on each attempt
// after 200 ms, retries twice (with its own back-off), then the SQS message is retried.
const TELNYX_TIMEOUT_MS = 200;

let p: Pipeline;
let calls: ReturnType<typeof callHelpers>;
const report = figureRecorder('telnyx-faults');

beforeAll(async () => {
  p = await startPipeline({ TELNYX_TIMEOUT_MS: String(TELNYX_TIMEOUT_MS) });
  calls = callHelpers(p);
});
afterAll(async () => {
  report.write({
    telnyxTimeoutMs: TELNYX_TIMEOUT_MS,
    sdkMaxRetries: 2,
    commandsCarriedOutTwice: carriedOutTwice(),
  });
  await p.stop();
});
beforeEach(async () => {
  await p.redis.flushdb();
  p.logs.length = 0;
});
afterEach(() => {
  // Across the whole file, Telnyx never carried out the same action twice on one call.
  expect(carriedOutTwice()).toBe(0);
});

/** Actions Telnyx carried out more than once on the same call (a doubled command). */
function carriedOutTwice(): number {
  const carried = p.telnyx.commands.filter((c) => c.status === 200 && !c.duplicate);
  const keys = carried.map((c) => `${c.callControlId} ${c.action}`);
  return keys.length - new Set(keys).size;
}

/** One Lambda invocation on what the queue offers; `failed` is what waits for an SQS retry. */
const pollStep = () => pollOnce({ sqs: p.sqs.client, queueUrl: p.queueUrl, worker: p.worker });

/** Polls until the queue is empty, counting the invocations that reported a failure. */
async function drainCountingRetries(): Promise<number> {
  let retries = 0;
  for (let i = 0; i < 10; i += 1) {
    const { delivered, failed } = await pollStep();
    if (delivered === 0) return retries;
    retries += failed.length;
  }
  throw new Error('the queue did not drain');
}

function faultName(fault: Fault): string {
  if (fault === 'hang') return `no answer (timeout after ${TELNYX_TIMEOUT_MS} ms)`;
  if (fault === 'lost_reply') return 'carried out, reply lost (connection reset)';
  const body = fault.body as { errors?: Array<{ code?: string }> } | undefined;
  const code = body?.errors?.[0]?.code;
  return fault.status === 422 ? `422 ${code}` : `${fault.status}`;
}

describe('an admitted call whose answer fails', () => {
  it.each([
    ['500 once (absorbed by the SDK retry)', SERVER_ERROR, 1],
    ['500 on every SDK attempt', SERVER_ERROR, 3],
    ['a timeout on every SDK attempt', 'hang' as const, 3],
  ])(
    'is answered exactly once after %s, keeping its slot while its message waits',
    async (_label, fault, times) => {
      const id = callControlId();
      const to = await calls.mapNumber('acme');
      p.telnyx.failNext('answer', fault, times);

      await p.post(telnyxEvent('call.initiated', { call_control_id: id, to }));
      const first = await pollStep();
      const waitingForRetry = first.failed.length > 0;
      const heldWhileWaiting = await calls.slotHeld(id);
      // Out of SDK retries, the message waits for SQS; Telnyx may have answered, so the call
      // keeps its slot meanwhile and the retry re-answers it.
      expect(waitingForRetry).toBe(times > 2);
      expect(heldWhileWaiting).toBe(true);
      const retries = (waitingForRetry ? 1 : 0) + (await drainCountingRetries());

      const attempts = calls.commandsOf(id);
      expect(new Set(attempts.map((c) => c.commandId))).toEqual(new Set([`${id}:answer`]));
      expect(attempts).toHaveLength(times + 1);
      expect(calls.carriedOut(id, 'answer')).toBe(1);
      const slotsAfterAnswer = await p.redis.smembers('cap:global:active');
      expect(slotsAfterAnswer).toEqual([id]);
      expect(await p.redis.smembers('cap:tenant:acme:active')).toEqual([id]);
      await calls.hangup(id);
      expect(await calls.heldCapacityKeys()).toEqual([]);

      report.record({
        scenario: `Telnyx answer: ${faultName(fault)} x${times}`,
        injected: `the simulator answered the next ${times} answer command(s) with ${faultName(fault)}`,
        observed: waitingForRetry
          ? 'the SDK retries ran out, the message was reported failed and retried through SQS with the same command_id; the call kept its slot while it waited (Telnyx may have answered); the retry re-answered the call once, still holding exactly one slot'
          : 'the SDK retry succeeded inside the same invocation; the call was answered once with one slot',
        figures: {
          faultsInjected: times,
          telnyxRequests: attempts.length,
          sqsRetries: retries,
          answersCarriedOut: calls.carriedOut(id, 'answer'),
          slotHeldAfterFirstInvocation: heldWhileWaiting,
          slotsAfterAnswer: slotsAfterAnswer.length,
          leakedSlotsAfterHangup: (await calls.heldCapacityKeys()).length,
        },
      });
    },
  );

  it('gives its slot back and is not retried when Telnyx says the call already ended (422 90018)', async () => {
    const id = callControlId();
    p.telnyx.failNext('answer', CALL_ENDED);
    await p.post(
      telnyxEvent('call.initiated', { call_control_id: id, to: await calls.mapNumber('acme') }),
    );
    const retries = await drainCountingRetries();
    expect(retries).toBe(0);
    expect(calls.commandsOf(id)).toHaveLength(1);
    expect(await calls.heldCapacityKeys()).toEqual([]);
    // The hangup that follows finds nothing to release, and sends nothing.
    await calls.hangup(id);
    expect(calls.commandsOf(id)).toHaveLength(1);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: 'Telnyx answer: 422 90018 (call already ended)',
      injected: 'the simulator answered the answer command with 422 90018',
      observed:
        'the slot was given back at once, the message was acknowledged (no retry), the later hangup released nothing',
      figures: {
        faultsInjected: 1,
        telnyxRequests: calls.commandsOf(id).length,
        sqsRetries: retries,
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });
});

describe('a denied call whose commands fail', () => {
  /** A call to an unmapped number: denied ("not configured"), answered with a deny state. */
  async function deniedCall() {
    const id = callControlId();
    await p.deliver(telnyxEvent('call.initiated', { call_control_id: id, to: '+15550000000' }));
    expect(calls.actions(id)).toEqual(['answer']);
    return { id, clientState: calls.clientStateOf(id) as string };
  }

  it.each([
    ['speak', 'refused as unanswered (422 90034)', CALL_NOT_ANSWERED, 1],
    ['speak', 'answered 500 on every SDK attempt', SERVER_ERROR, 3],
    ['hangup', 'timed out on every SDK attempt', 'hang' as const, 3],
  ])('still sends %s exactly once when Telnyx first %s', async (action, _label, fault, times) => {
    const { id, clientState } = await deniedCall();
    p.telnyx.failNext(action, fault, times);

    await p.post(telnyxEvent('call.answered', { call_control_id: id, client_state: clientState }));
    let retries = await drainCountingRetries();
    await p.post(
      telnyxEvent('call.speak.ended', {
        call_control_id: id,
        client_state: clientState,
        status: 'completed',
      }),
    );
    retries += await drainCountingRetries();
    await calls.hangup(id);

    const attempts = calls.commandsOf(id).filter((c) => c.action === action);
    expect(new Set(attempts.map((c) => c.commandId))).toEqual(new Set([`${id}:${action}`]));
    expect(attempts).toHaveLength(times + 1);
    expect(retries).toBe(1);
    expect(calls.actions(id)).toEqual(['answer', 'speak', 'hangup']);
    expect(calls.spoken(id)).toBe(NOT_CONFIGURED);
    expect(await calls.heldCapacityKeys()).toEqual([]);

    report.record({
      scenario: `Telnyx ${action} (denial): ${faultName(fault)} x${times}`,
      injected: `the simulator answered the next ${times} ${action} command(s) with ${faultName(fault)}`,
      observed: `the ${action} step failed, its message was retried through SQS with the same command_id, and the caller got answer, speak (the contract message) and hangup, each once`,
      figures: {
        faultsInjected: times,
        telnyxRequests: attempts.length,
        sqsRetries: retries,
        [`${action}CarriedOut`]: calls.carriedOut(id, action),
        leakedSlots: (await calls.heldCapacityKeys()).length,
      },
    });
  });

  it('does not hang up when Telnyx says the call ended while speaking (422 90018)', async () => {
    const { id, clientState } = await deniedCall();
    p.telnyx.failNext('speak', CALL_ENDED);
    await p.post(telnyxEvent('call.answered', { call_control_id: id, client_state: clientState }));
    const retries = await drainCountingRetries();
    await calls.hangup(id);
    expect(retries).toBe(0);
    expect(calls.actions(id)).toEqual(['answer']);
    expect(calls.commandsOf(id).map((c) => [c.action, c.status])).toEqual([
      ['answer', 200],
      ['speak', 422],
    ]);
    report.record({
      scenario: 'Telnyx speak (denial): 422 90018',
      injected: 'the simulator answered the speak command with 422 90018 (the caller had hung up)',
      observed: 'treated as done: acknowledged without retry, nothing more sent',
      figures: {
        faultsInjected: 1,
        telnyxRequests: calls.commandsOf(id).length,
        sqsRetries: retries,
      },
    });
  });
});
